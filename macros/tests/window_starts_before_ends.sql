{#- Rows whose start is not strictly before their end (both non-null). -#}
{% test window_starts_before_ends(model, start_column, end_column) %}
select *
from {{ model }}
where {{ start_column }} is not null
    and {{ end_column }} is not null
    and not ({{ start_column }} < {{ end_column }})
{% endtest %}
