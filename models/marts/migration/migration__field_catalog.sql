-- Every field the marts send, per Twenty object, with its type: the loader creates the custom
-- objects (seeds/twenty_objects.csv) and fields from this. Static fields come from
-- seeds/twenty_field_catalog.csv; confirmed custom fields from seeds/custom_field_map.csv.
-- mart_column is the column of the object's mart that carries the field (relations:
-- <field>__external_id, resolved by the loader to <field>Id).
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
        inverse_label
    from {{ ref('twenty_field_catalog') }}
),

custom_fields as (
    select
        'person' as object_name,
        twenty_field_name as field_name,
        twenty_type,
        "label",
        true as is_custom,
        false as is_unique,
        cast(null as varchar) as relation_target,
        cast(null as varchar) as inverse_field_name,
        cast(null as varchar) as inverse_label
    from {{ ref('custom_field_map') }}
    where confirmed
),

fields as (
    select * from static_fields
    union all
    select * from custom_fields
)

select
    fields.*,
    objects.name_plural as object_name_plural,
    objects.mart_model,
    case
        when fields.twenty_type = 'RELATION' then fields.field_name || '__external_id'
        else fields.field_name
    end as mart_column
from fields
inner join objects on fields.object_name = objects.name_singular
