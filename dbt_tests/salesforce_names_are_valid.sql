-- The custom objects and fields the loader creates have names the Metadata API accepts: a
-- letter first, letters/digits and single underscores, no trailing underscore, at most 40
-- characters before the __c suffix; a Lookup's relationship name follows the same rule.
with names as (
    select
        'object' as kind,
        object_name as api_name
    from {{ ref('salesforce_objects') }}
    where is_custom
    union all
    select
        'field of ' || object_name as kind,
        field_name as api_name
    from {{ ref('salesforce_fields') }}
    union all
    select
        'relationship of ' || object_name || '.' || field_name as kind,
        relationship_name || '__c' as api_name
    from {{ ref('salesforce_fields') }}
    where field_type = 'Lookup'
)

select *
from names
where not regexp_full_match(api_name, '[A-Za-z](_?[A-Za-z0-9])*__c')
    or length(api_name) > 43
