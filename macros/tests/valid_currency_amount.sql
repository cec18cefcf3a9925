{#- A Twenty CURRENCY struct: amountMicros (a BIGINT, so whole micros: amounts keep up to 6
    decimals, as the source gave them) is non-negative unless allow_negative (refunds), and the
    currency code is ISO-4217 shaped. -#}
{% test valid_currency_amount(model, column_name, allow_negative=false) %}
select *
from {{ model }}
where {{ column_name }}."amountMicros" is not null
    and (
        not coalesce(regexp_full_match({{ column_name }}."currencyCode", '[A-Z]{3}'), false)
        {%- if not allow_negative %}
        or {{ column_name }}."amountMicros" < 0
        {%- endif %}
    )
{% endtest %}
