-- monday updates (notes) on Contacts items: the Bizstim notes of each client with notes
-- (int_notes__client_notes). An update has no columns, so the loader recognises what it wrote
-- by the marker `[bizstim:<external_id>]` ending the body, exactly once.
-- original_creation_date is empty: Bizstim keeps no date for a client's notes (monday then
-- dates the update at the load).
with people as (
    select
        person_external_id,
        notes
    from {{ ref('int_people__merged') }}
),

in_monday as (
    select person_external_id
    from {{ ref('int_monday__people') }}
    where quarantine_rule is null and board = 'contacts'
),

updates as (
    select
        notes.note_external_id as external_id,
        concat_ws(
            chr(10), notes.title, people.notes, '[bizstim:' || notes.note_external_id || ']'
        ) as body,
        cast(null as timestamp) as original_creation_date,
        notes.person_external_id as item__external_id
    from {{ ref('int_notes__client_notes') }} as notes
    inner join people on notes.person_external_id = people.person_external_id
    inner join in_monday on notes.person_external_id = in_monday.person_external_id
)

select
    *,
    {{ row_hash(['body', 'original_creation_date', 'item__external_id']) }} as row_hash
from updates
