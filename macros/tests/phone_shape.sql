{#- A Twenty PHONES struct is well formed: numbers are digits only, country codes are
    ISO-3166 alpha-2, calling codes are "+<1-3 digits>", and a number always comes with both
    codes (also for every additionalPhones element). -#}
{% test phone_shape(model, column_name) %}
with phones as (
    select
        {{ column_name }}."primaryPhoneNumber" as phone_number,
        {{ column_name }}."primaryPhoneCountryCode" as country_code,
        {{ column_name }}."primaryPhoneCallingCode" as calling_code
    from {{ model }}
    union all
    select
        additional.phone."number",
        additional.phone."countryCode",
        additional.phone."callingCode"
    from {{ model }},
        unnest({{ column_name }}."additionalPhones") as additional (phone)
)

select *
from phones
where (phone_number is not null or country_code is not null or calling_code is not null)
    and not (
        coalesce(regexp_full_match(phone_number, '[0-9]{4,17}'), false)
        and coalesce(regexp_full_match(country_code, '[A-Z]{2}'), false)
        and coalesce(regexp_full_match(calling_code, '\+[0-9]{1,3}'), false)
    )
{% endtest %}
