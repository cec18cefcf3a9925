-- The switches of seeds/freshsales_settings.csv as one row, so a model reads a column instead
-- of filtering the seed by key. default_currency falls back to the var account_currency
-- (Bizstim does not expose its currency); the seed's tests keep every other switch set.
select
    max(setting_value) filter (where setting = 'payments_as') as payments_as,
    coalesce(
        max(setting_value) filter (where setting = 'default_currency'),
        '{{ var("account_currency") }}'
    ) as default_currency,
    max(setting_value) filter (where setting = 'household_name_format') as household_name_format
from {{ ref('freshsales_settings') }}
