{#- The model has exactly `expected` rows. -#}
{% test row_count(model, expected) %}
select count(*) as row_count
from {{ model }}
having count(*) <> {{ expected }}
{% endtest %}
