{#- A Twenty CURRENCY struct: amountMicros is a whole number of micros (a multiple of 10,000,
    i.e. whole cents), non-negative unless allow_negative, and has an ISO-4217 currency code. -#}
{% test valid_currency_amount(model, column_name, allow_negative=false) %}
select *
from {{ model }}
where {{ column_name }}."amountMicros" is not null
    and (
        {{ column_name }}."amountMicros" % 10000 <> 0
        {%- if not allow_negative %}
        or {{ column_name }}."amountMicros" < 0
        {%- endif %}
        or not coalesce(regexp_full_match({{ column_name }}."currencyCode", '[A-Z]{3}'), false)
    )
{% endtest %}
