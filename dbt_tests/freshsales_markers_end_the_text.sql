-- Appointments and notes carry no custom field, so the loader recognises what it wrote by the
-- marker `[bizstim:<external_id>]` (load/pipedrive/markers.py, shared): it must end the
-- description, exactly once, and name the row's own external id.
{%- for mart in ['freshsales__appointments', 'freshsales__notes'] %}
    {{ "union all" if not loop.first }}
    select
        '{{ mart }}' as mart,
        external_id,
        right(description, 80) as text_end
    from {{ ref(mart) }}
    where not ends_with(description, '[bizstim:' || external_id || ']')
        or len(string_split(description, '[bizstim:')) <> 2
{%- endfor %}
