{#- Rows whose start is not strictly before their end (both non-null); with allow_equal, rows
    whose start is after their end (a one-day date range is fine). -#}
{% test window_starts_before_ends(model, start_column, end_column, allow_equal=false) %}
select *
from {{ model }}
where {{ start_column }} is not null
    and {{ end_column }} is not null
    and not ({{ start_column }} {{ '<=' if allow_equal else '<' }} {{ end_column }})
{% endtest %}
