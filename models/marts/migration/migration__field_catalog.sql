-- Every field the marts send, per Twenty object, with its type: the loader creates the custom
-- objects (seeds/twenty_objects.csv) and fields from this. Static fields come from
-- seeds/twenty_field_catalog.csv; custom fields are those of the account's current definitions
-- whose seeds/custom_field_map.csv row is confirmed with decision migrate (skipped, pending and
-- absent definitions create nothing). mart_column is the column of the object's mart that
-- carries the field (relations: <field>__external_id, resolved by the loader to <field>Id;
-- custom fields: keys of the custom_fields JSON column).
with objects as (
    select * from {{ ref('twenty_objects') }}
),

static_fields as (
    select
        object_name,
        field_name,
        twenty_type,
        "label",
        is_custom,
        is_unique,
        relation_target,
        inverse_field_name,
        inverse_label,
        case
            -- owners: a Bizstim user, resolved through migration.owner_matches at load
            when relation_target = 'workspaceMember' then field_name || '__user_external_id'
            when twenty_type = 'RELATION' then field_name || '__external_id'
            else field_name
        end as mart_column
    from {{ ref('twenty_field_catalog') }}
),

custom_fields as (
    select
        'person' as object_name,
        target_field_name as field_name,
        target_field_type as twenty_type,
        "label",
        true as is_custom,
        false as is_unique,
        'custom_fields' as mart_column
    from {{ ref('int_custom_fields__mapping') }}
    where is_in_current_snapshot and mapping_status = 'migrate'
),

fields as (
    select * from static_fields
    union all by name
    select * from custom_fields
)

select
    fields.*,
    objects.name_plural as object_name_plural,
    objects.mart_model
from fields
inner join objects on fields.object_name = objects.name_singular
