-- Every value in twenty__people.custom_fields has the JSON shape Twenty's REST API takes for
-- the field's type in migration__field_catalog (so the loader creates the field it fills):
-- TEXT a string, NUMBER a number, BOOLEAN true/false, DATE a real "YYYY-MM-DD" string,
-- SELECT one of the field's options in migration__select_options.
with sent as (
    select
        external_id,
        twenty_field_name,
        custom_fields -> twenty_field_name as json_value
    from (
        select
            external_id,
            custom_fields,
            unnest(json_keys(custom_fields)) as twenty_field_name
        from {{ ref('twenty__people') }}
    )
),

catalog as (
    select
        field_name,
        twenty_type
    from {{ ref('migration__field_catalog') }}
    where object_name = 'person' and mart_column = 'custom_fields'
),

options as (
    select
        field_name,
        "value"
    from {{ ref('migration__select_options') }}
    where object_name = 'person'
),

checked as (
    select
        sent.external_id,
        sent.twenty_field_name,
        catalog.twenty_type,
        cast(sent.json_value as varchar) as sent_value,
        case catalog.twenty_type
            when 'TEXT' then json_type(sent.json_value) = 'VARCHAR'
            when 'NUMBER' then json_type(sent.json_value) in ('DOUBLE', 'BIGINT', 'UBIGINT')
            when 'BOOLEAN' then json_type(sent.json_value) = 'BOOLEAN'
            when 'DATE'
                then json_type(sent.json_value) = 'VARCHAR'
                    and regexp_full_match(sent.json_value ->> '$', '[0-9]{4}-[0-9]{2}-[0-9]{2}')
                    and try_strptime(sent.json_value ->> '$', '%Y-%m-%d') is not null
            when 'SELECT'
                then json_type(sent.json_value) = 'VARCHAR'
                    and exists (
                        select 1 from options
                        where options.field_name = sent.twenty_field_name
                            and options."value" = sent.json_value ->> '$'
                    )
            else false
        end as fits
    from sent
    left join catalog on sent.twenty_field_name = catalog.field_name
)

select * from checked
where not coalesce(fits, false)
