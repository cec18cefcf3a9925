-- A client's free-text notes become one Twenty note attached to that person. Newlines
-- become Markdown hard line breaks so the note reads as typed.
select
    'note:' || person_external_id as note_external_id,
    'note_target:' || person_external_id as note_target_external_id,
    person_external_id,
    client_id,
    'Bizstim notes: ' || trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))
        as title,
    replace(notes, chr(10), '  ' || chr(10)) as markdown
from {{ ref('int_people__merged') }}
where notes is not null and client_id is not null
