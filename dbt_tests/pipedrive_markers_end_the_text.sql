-- Activities and notes carry no custom field, so the loader recognises what it wrote by the
-- marker `[bizstim:<external_id>]` (load/pipedrive/markers.py): it must end the text, exactly
-- once, and name the row's own external id.
{%- for mart, column in [('pipedrive__activities', 'note'), ('pipedrive__notes', 'content')] %}
    {{ "union all" if not loop.first }}
    select
        '{{ mart }}' as mart,
        external_id,
        right({{ column }}, 80) as text_end
    from {{ ref(mart) }}
    where not ends_with({{ column }}, '[bizstim:' || external_id || ']')
        or len(string_split({{ column }}, '[bizstim:')) <> 2
{%- endfor %}
