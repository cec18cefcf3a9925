{#- A polymorphic relation (Event.WhoId, ContentDocumentLink.LinkedEntityId): every non-null
    value is the external_id of a row in one of the models `to` names (by model name). -#}
{% test relationships_to_any(model, column_name, to) %}
with parents as (
    {%- for parent in to %}
        {{ "union all" if not loop.first }}
        select external_id from {{ ref(parent) }}
    {%- endfor %}
)

select {{ column_name }} as orphan
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (select parents.external_id from parents)
{% endtest %}
