-- The Pipedrive seeds name what the loader and the marts can use: a field_key makes a mart
-- column cf_<field_key> that load/pipedrive/specs.py's payload rule accepts (lower-case words
-- joined by one underscore), an enum or set option holds no '|' (the separator) and no
-- surrounding blanks, and default_currency is blank or an ISO-4217 code (3 capitals).
select
    'pipedrive_fields' as seed,
    entity || '.' || field_key as failing_value
from {{ ref('pipedrive_fields') }}
where not regexp_full_match(field_key, '[a-z][a-z0-9]*(_[a-z0-9]+)*')
union all
select
    'pipedrive_fields' as seed,
    entity || '.' || field_key || ': "' || option_label || '"' as failing_value
from (
    select
        entity,
        field_key,
        unnest(string_split(options, '|')) as option_label
    from {{ ref('pipedrive_fields') }}
    where options is not null
) as labels
where option_label = '' or option_label <> trim(option_label)
union all
select
    'pipedrive_settings' as seed,
    setting || ' = ' || setting_value as failing_value
from {{ ref('pipedrive_settings') }}
where setting = 'default_currency'
    and setting_value is not null
    and not regexp_full_match(setting_value, '[A-Z]{3}')
