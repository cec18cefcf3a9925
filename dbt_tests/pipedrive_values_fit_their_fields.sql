-- Every value a Pipedrive mart sends fits where it goes, so the loader never meets a refusal
-- the build could have caught:
--   * each cf_<field_key> column has its row in seeds/pipedrive_fields.csv (the field setup
--     creates) and each seed row a column (no field created for nothing); a date field's
--     column is a date, a double's numeric;
--   * an enum value is one of the seed's option labels (a set: each '|'-separated label),
--     unless the seed leaves the options blank (the account's data: setup adds them);
--   * a varchar value holds at most 255 characters, a text 65,535 (the stand-in's limits;
--     Pipedrive documents none in its specs);
--   * name / title / subject / code at most 255 characters and, for the required ones, not
--     empty (a product's empty name is refused); an activity note at most 65,535.
{%- set marts = [
    ('organization', 'pipedrive__organizations', ['name']),
    ('person', 'pipedrive__persons', ['name']),
    ('product', 'pipedrive__products', ['name', 'code', 'unit']),
    ('deal', 'pipedrive__deals', ['title', 'currency']),
    ('activity', 'pipedrive__activities', ['subject', 'type']),
] %}
with fields as (
    select * from {{ ref('pipedrive_fields') }}
),

columns_of_marts as (
    {%- for entity, mart, texts in marts %}
        {%- set columns = adapter.get_columns_in_relation(ref(mart)) if execute else [] %}
        {{ "union all" if not loop.first }}
        select
            '{{ entity }}' as entity,
            null as field_key,
            null as column_type
        where false
        {%- for column in columns if column.name.startswith('cf_') %}
            union all
            select
                '{{ entity }}' as entity,
                '{{ column.name[3:] }}' as field_key,
                '{{ column.dtype | lower }}' as column_type
        {%- endfor %}
    {%- endfor %}
),

declaration_failures as (
    select
        coalesce(columns_of_marts.entity, fields.entity) as entity,
        coalesce(columns_of_marts.field_key, fields.field_key) as field_key,
        case
            when fields.field_key is null
                then 'mart column without a seeds/pipedrive_fields.csv row'
            when columns_of_marts.field_key is null then 'seed row that no mart column fills'
            else 'column type ' || columns_of_marts.column_type || ' for a ' || fields.field_type
                || ' field'
        end as failure,
        null as failing_value
    from columns_of_marts
    full outer join fields
        on columns_of_marts.entity = fields.entity
            and columns_of_marts.field_key = fields.field_key
    where (fields.field_key is null)
        or (columns_of_marts.field_key is null and fields.field_key <> 'bizstim_id')
        or (fields.field_type = 'date' and columns_of_marts.column_type <> 'date')
        or (
            fields.field_type = 'double'
            and columns_of_marts.column_type not in ('double', 'integer', 'bigint', 'float')
            and not starts_with(columns_of_marts.column_type, 'decimal')
        )
),

value_failures as (
    {%- for entity, mart, texts in marts %}
        {%- set columns = adapter.get_columns_in_relation(ref(mart)) if execute else [] %}
        {{ "union all" if not loop.first }}
        select
            '{{ entity }}' as entity,
            null as field_key,
            null as failure,
            null as failing_value
        where false
        {%- for column in columns if column.name.startswith('cf_')
            and column.dtype | lower == 'varchar' %}
            union all
            select
                '{{ entity }}' as entity,
                fields.field_key,
                case
                    when fields.field_type in ('enum', 'set') then 'not an option of the seed'
                    else 'longer than its ' || fields.field_type || ' field holds'
                end as failure,
                labels.label as failing_value
            from (
                select
                    unnest(
                        case
                            when fields_of.field_type = 'set'
                                then string_split({{ column.name }}, '|')
                            else [{{ column.name }}]
                        end
                    ) as label
                from {{ ref(mart) }}
                cross join (
                    select field_type from fields
                    where entity = '{{ entity }}' and field_key = '{{ column.name[3:] }}'
                ) as fields_of
                where {{ column.name }} is not null
            ) as labels
            inner join fields
                on fields.entity = '{{ entity }}' and fields.field_key = '{{ column.name[3:] }}'
            where
                (
                    fields.field_type in ('enum', 'set') and fields.options is not null
                    and not list_contains(string_split(fields.options, '|'), labels.label)
                )
                or (fields.field_type in ('varchar', 'phone') and length(labels.label) > 255)
                or (fields.field_type = 'text' and length(labels.label) > 65535)
        {%- endfor %}
        {%- for text in texts %}
            union all
            select
                '{{ entity }}' as entity,
                '{{ text }}' as field_key,
                'empty or longer than 255 characters' as failure,
                {{ text }} as failing_value
            from {{ ref(mart) }}
            where length({{ text }}) > 255 or trim({{ text }}) = ''
        {%- endfor %}
    {%- endfor %}
    union all
    select
        'activity' as entity,
        'note' as field_key,
        'longer than 65,535 characters' as failure,
        external_id as failing_value
    from {{ ref('pipedrive__activities') }}
    where length(note) > 65535
)

select * from declaration_failures
union all
select * from value_failures
