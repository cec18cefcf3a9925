{#- Each row sets exactly one of the given columns (e.g. a record looked up to a Contact or to
    a Lead, never both, never neither). -#}
{% test exactly_one_of(model, columns) %}
select *
from {{ model }}
where (
    {%- for column in columns %}
        (case when "{{ column }}" is not null then 1 else 0 end){{ " +" if not loop.last }}
    {%- endfor %}
) <> 1
{% endtest %}
