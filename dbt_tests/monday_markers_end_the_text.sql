-- An update has no columns, so the loader recognises the notes it wrote by the marker
-- `[bizstim:<external_id>]` (load/monday/updates.py): it must end the body, exactly once, and
-- name the row's own external id.
select
    external_id,
    right(body, 80) as text_end
from {{ ref('monday__updates') }}
where not ends_with(body, '[bizstim:' || external_id || ']')
    or len(string_split(body, '[bizstim:')) <> 2
