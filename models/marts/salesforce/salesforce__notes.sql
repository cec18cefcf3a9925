-- Salesforce ContentNote: one per client with notes in Bizstim (an enhanced note: classic
-- Note is not what ContentDocumentLink attaches, and neither has an ActivityDate). No custom
-- field is possible on ContentNote: external_id keys the loader's ledger and Title marker.
-- Content is the text HTML-escaped with <br> line breaks (macro content_note_body); the
-- loader base64-encodes it. Title = "Bizstim notes: <name>" when it fits 255 characters beside the
-- " [bizstim:<external id>]" marker the loader appends (load/salesforce/content.py: the
-- note's only key), else "Bizstim notes: <client external id>": the loader never cuts it.
with notes as (
    select * from {{ ref('int_notes__client_notes') }}
),

people as (
    select
        person_external_id,
        notes
    from {{ ref('int_people__merged') }}
),

in_salesforce as (
    select person_external_id
    from {{ ref('int_salesforce__people') }}
    where quarantine_rule is null
),

shaped as (
    select
        notes.note_external_id as external_id,
        case
            when not {{ salesforce_too_long(
                'notes.title', "255 - length(' [bizstim:' || notes.note_external_id || ']')"
            ) }} then notes.title
            else 'Bizstim notes: ' || notes.person_external_id
        end as "Title",
        {{ content_note_body('people.notes') }} as "Content"
    from notes
    inner join people on notes.person_external_id = people.person_external_id
    inner join in_salesforce on notes.person_external_id = in_salesforce.person_external_id
)

select
    *,
    {{ row_hash(['Title', 'Content']) }} as row_hash
from shaped
