{#- Every value of a SELECT column (or every element of a MULTI_SELECT list, with is_list=true) is one of the
    options migration__select_options declares for that Twenty field, so the loader never
    sends an option Twenty does not know. -#}
{% test values_in_select_options(model, column_name, object_name, field_name, is_list=false) %}
with sent as (
    select distinct unnest(
        {% if is_list %}{{ column_name }}{% else %}[{{ column_name }}]{% endif %}
    ) as option_value
    from {{ model }}
),

declared as (
    select "value" as option_value
    from {{ ref('migration__select_options') }}
    where object_name = '{{ object_name }}' and field_name = '{{ field_name }}'
)

select sent.option_value
from sent
left join declared on sent.option_value = declared.option_value
where sent.option_value is not null and declared.option_value is null
{% endtest %}
