-- Freshsales Sales Account: one household per client that seeds/freshsales_client_routing.csv
-- routes to `household`, or that pays while payments_as = deals (a deal needs an account).
-- external_id `household:client:<id>`, written to cf_bizstim_id. See int_freshsales__people.
with shaped as (
    select
        sales_account_external_id as external_id,
        sales_account_name as name,  -- noqa: RF04
        street as address,
        city,
        zipcode,
        country,
        first_phone as phone
    from {{ ref('int_freshsales__people') }}
    where quarantine_rule is null and sales_account_external_id is not null
)

select
    *,
    {{ row_hash(['name', 'address', 'city', 'zipcode', 'country', 'phone']) }} as row_hash
from shaped
