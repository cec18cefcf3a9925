{#- Every non-null value (or every element, with is_list=true) looks like an e-mail address Twenty
    accepts: one @, no spaces, a dotted domain with a 2+ letter TLD, lower case. -#}
{% test valid_email(model, column_name, is_list=false) %}
with addresses as (
    select unnest(
        {% if is_list %}{{ column_name }}{% else %}[{{ column_name }}]{% endif %}
    ) as address
    from {{ model }}
)

select address
from addresses
where address is not null
    and not {{ is_email_address('address') }}
{% endtest %}
