{#- An expression (e.g. a struct sub-field such as emails."primaryEmail") is unique among
    the rows where it is not null. -#}
{% test unique_values(model, expression) %}
select
    {{ expression }} as duplicated_value,
    count(*) as occurrences
from {{ model }}
where {{ expression }} is not null
group by {{ expression }}
having count(*) > 1
{% endtest %}
