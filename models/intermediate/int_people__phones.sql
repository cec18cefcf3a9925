-- Twenty PHONES per person: the first valid number is primary, every other distinct valid
-- number (by E.164) is an additional phone. Numbers the library cannot read as a real number
-- are never dropped: they are kept verbatim in rawPhones ("<field>: <as typed> (<reason>)"),
-- and so is any number whose extension Twenty's PHONES field has no place for. They never
-- reach the PHONES field: real Twenty refuses the whole batch over one unparseable phone.
with numbers as (
    select * from {{ ref('int_people__phone_numbers') }}
),

distinct_valid as (
    select
        person_external_id,
        e164,
        arg_min(national_number, position) as national_number,
        arg_min(country_code, position) as country_code,
        arg_min(calling_code, position) as calling_code,
        min(position) as position
    from numbers
    where is_valid
    group by person_external_id, e164
),

ordered as (
    select
        *,
        row_number() over (partition by person_external_id order by position) as phone_rank
    from distinct_valid
),

valid_phones as (
    select
        person_external_id,
        max(national_number) filter (where phone_rank = 1) as primary_phone_number,
        max(country_code) filter (where phone_rank = 1) as primary_phone_country_code,
        max(calling_code) filter (where phone_rank = 1) as primary_phone_calling_code,
        coalesce(
            list(
                {
                    'number': national_number,
                    'countryCode': country_code,
                    'callingCode': calling_code
                }
                order by phone_rank
            ) filter (where phone_rank > 1),
            []
        ) as additional_phones
    from ordered
    group by person_external_id
),

kept_raw_tokens as (
    select
        person_external_id,
        source_field,
        raw_phone,
        kept_raw_reason,
        min(position) as position
    from numbers
    where kept_raw_reason is not null
    group by person_external_id, source_field, raw_phone, kept_raw_reason
),

kept_raw as (
    select
        person_external_id,
        string_agg(
            source_field || ': ' || raw_phone || ' (' || kept_raw_reason || ')',
            '; ' order by position
        ) as raw_phones
    from kept_raw_tokens
    group by person_external_id
)

select
    coalesce(valid_phones.person_external_id, kept_raw.person_external_id)
        as person_external_id,
    valid_phones.primary_phone_number,
    valid_phones.primary_phone_country_code,
    valid_phones.primary_phone_calling_code,
    coalesce(
        valid_phones.additional_phones,
        cast([] as struct("number" varchar, "countryCode" varchar, "callingCode" varchar)[])
    ) as additional_phones,
    kept_raw.raw_phones
from valid_phones
full outer join kept_raw on valid_phones.person_external_id = kept_raw.person_external_id
