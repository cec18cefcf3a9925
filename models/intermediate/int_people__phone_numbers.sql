-- Every phone number typed into a person's records, parsed with the `phonenumbers` library
-- (UDF parse_phone from common/dbt_udfs.py). The record's country (normalised through the
-- country_codes seed, else var default_phone_region) tells how to read numbers written
-- without +<calling code>. Order: person precedence, then p_phone, s_phone, text_phone items.
with identity as (
    select * from {{ ref('int_people__identity') }}
),

records as (
    select
        source_record_key,
        country,
        p_phone,
        s_phone,
        text_phone
    from {{ ref('int_people__source_records') }}
    where coalesce(p_phone, s_phone, text_phone) is not null
),

countries as (
    select * from {{ ref('country_codes') }}
),

located as (
    select
        identity.person_external_id,
        identity.kind_rank,
        identity.source_id,
        records.p_phone,
        records.s_phone,
        records.text_phone,
        coalesce(countries.iso2, '{{ var("default_phone_region") }}') as region
    from identity
    inner join records on identity.source_record_key = records.source_record_key
    left join countries on lower(trim(records.country)) = countries.spelling
),

typed as (
    select
        person_external_id,
        kind_rank,
        source_id,
        region,
        'p_phone' as source_field,
        1 as field_order,
        p_phone as raw_phone
    from located
    union all
    select
        person_external_id,
        kind_rank,
        source_id,
        region,
        's_phone' as source_field,
        2 as field_order,
        s_phone as raw_phone
    from located
    union all
    select
        located.person_external_id,
        located.kind_rank,
        located.source_id,
        located.region,
        'text_phone' as source_field,
        2 + text_item.item_position as field_order,
        text_item.raw_phone
    from located,
        unnest(string_split(located.text_phone, ',')) with ordinality
            as text_item (raw_phone, item_position)
    where located.text_phone is not null
),

distinct_inputs as (
    select distinct
        trim(raw_phone) as raw_phone,
        region
    from typed
    where trim(coalesce(raw_phone, '')) <> ''
),

parsed_inputs as (
    select
        raw_phone,
        region,
        parse_phone(raw_phone, region) as parsed
    from distinct_inputs
)

select
    typed.person_external_id,
    typed.source_field,
    trim(typed.raw_phone) as raw_phone,
    struct_extract(parsed_inputs.parsed, 'is_valid') as is_valid,
    struct_extract(parsed_inputs.parsed, 'national_number') as national_number,
    struct_extract(parsed_inputs.parsed, 'country_code') as country_code,
    struct_extract(parsed_inputs.parsed, 'calling_code') as calling_code,
    struct_extract(parsed_inputs.parsed, 'e164') as e164,
    struct_extract(parsed_inputs.parsed, 'extension') as extension,
    struct_extract(parsed_inputs.parsed, 'kept_raw_reason') as kept_raw_reason,
    row_number() over (
        partition by typed.person_external_id
        order by typed.kind_rank, typed.source_id, typed.field_order
    ) as position
from typed
inner join parsed_inputs
    on trim(typed.raw_phone) = parsed_inputs.raw_phone and typed.region = parsed_inputs.region
