-- Every value a Salesforce mart sends fits the field it goes to, as declared in
-- seeds/salesforce_fields.csv (custom fields; Event's are defined on Activity) and
-- seeds/salesforce_standard_fields.csv: a text is not longer than the field (counted in
-- UTF-16 units, as Salesforce counts), a picklist value is one the field declares (each item
-- of a multi-select), external_id fits Bizstim_Id__c (Text 80); and every payload column is
-- declared, so the schema setup creates each field the loader fills. Nothing is truncated
-- silently: the marts quarantine or keep in full what would not fit (int_salesforce__*).
{%- set marts = [
    ('Account', 'salesforce__accounts'), ('Contact', 'salesforce__contacts'),
    ('Lead', 'salesforce__leads'), ('Bizstim_Service_Group__c', 'salesforce__service_groups'),
    ('Product2', 'salesforce__products'), ('PricebookEntry', 'salesforce__pricebook_entries'),
    ('Bizstim_Payment__c', 'salesforce__payments'), ('Opportunity', 'salesforce__opportunities'),
    ('Event', 'salesforce__events'), ('Bizstim_Availability__c', 'salesforce__availability'),
    ('ContentNote', 'salesforce__notes'), ('ContentDocumentLink', 'salesforce__note_links'),
] %}
with fields as (
    select
        case object_name when 'Activity' then 'Event' else object_name end as object_name,
        field_name,
        field_type,
        length as max_length,
        picklist_values
    from {{ ref('salesforce_fields') }}
    union all
    select
        object_name,
        field_name,
        field_type,
        length as max_length,
        null as picklist_values
    from {{ ref('salesforce_standard_fields') }}
),

sent as (
    {%- for object_name, mart in marts %}
        {{ "union all" if not loop.first }}
        select
            '{{ object_name }}' as object_name,
            external_id,
            field_name,
            field_value
        from (
            unpivot (
                select
                    external_id,
                    columns(* exclude (external_id, row_hash))::varchar
                from {{ ref(mart) }}
            )
            on columns(* exclude (external_id))
            into name field_name value field_value
        )
        where not suffix(field_name, '_external_id')
        union all
        select
            '{{ object_name }}' as object_name,
            external_id,
            'Bizstim_Id__c' as field_name,
            external_id as field_value
        from {{ ref(mart) }}
        where '{{ object_name }}' not in ('ContentNote', 'ContentDocumentLink')
    {%- endfor %}
),

checked as (
    select
        sent.object_name,
        sent.external_id,
        sent.field_name,
        sent.field_value,
        case
            when fields.field_name is null then 'not declared in the Salesforce field seeds'
            when {{ salesforce_too_long('sent.field_value', 'fields.max_length') }}
                then 'longer than ' || fields.max_length
            when fields.field_type = 'Picklist'
                and not list_contains(string_split(fields.picklist_values, '|'), sent.field_value)
                then 'not a declared picklist value'
            when fields.field_type = 'MultiselectPicklist'
                and not list_has_all(
                    string_split(fields.picklist_values, '|'), string_split(sent.field_value, ';')
                )
                then 'not declared picklist values'
        end as problem
    from sent
    left join fields
        on sent.object_name = fields.object_name and sent.field_name = fields.field_name
)

select *
from checked
where problem is not null
