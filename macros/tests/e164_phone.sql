{#- Every non-null value is an E.164 number: "+", a country code not starting with 0, at most
    15 digits in all. -#}
{% test e164_phone(model, column_name) %}
select {{ column_name }} as phone
from {{ model }}
where {{ column_name }} is not null
    and not regexp_full_match({{ column_name }}, '\+[1-9][0-9]{1,14}')
{% endtest %}
