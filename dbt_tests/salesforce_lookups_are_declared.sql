-- Every Salesforce mart is named in seeds/salesforce_objects.csv, and every custom-lookup
-- column of a mart (<RelationshipName>__r__external_id) is a Lookup field of that object in
-- seeds/salesforce_fields.csv with that relationship name, so the schema setup creates the
-- field the loader resolves the column into.
with mart_columns as (
    select
        table_name as mart_model,
        column_name
    from information_schema.columns
    where
        table_schema = '{{ ref("salesforce__contacts").schema }}'
        and starts_with(table_name, 'salesforce__')
),

objects as (
    select
        object_name,
        mart_model
    from {{ ref('salesforce_objects') }}
),

lookups as (
    select
        case object_name when 'Activity' then 'Event' else object_name end as object_name,
        relationship_name
    from {{ ref('salesforce_fields') }}
    where field_type = 'Lookup'
)

select
    mart_columns.mart_model,
    mart_columns.column_name,
    case
        when objects.object_name is null then 'mart not in salesforce_objects'
        else 'no Lookup with this relationship name in salesforce_fields'
    end as problem
from mart_columns
left join objects on mart_columns.mart_model = objects.mart_model
left join lookups
    on
        objects.object_name = lookups.object_name
        and mart_columns.column_name = lookups.relationship_name || '__r__external_id'
where
    objects.object_name is null
    or (suffix(mart_columns.column_name, '__r__external_id') and lookups.object_name is null)
