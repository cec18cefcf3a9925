-- Salesforce ContentDocumentLink: attaches each note (salesforce__notes) to its client's
-- Contact or Lead (LinkedEntityId takes any record), visible to every user who can see that
-- record. Like ContentNote it takes no custom field: external_id is for the ledger only.
with shaped as (
    select
        'note_link:' || notes.person_external_id as external_id,
        notes.note_external_id as "ContentDocument__external_id",
        notes.person_external_id as "LinkedEntity__external_id",
        'V' as "ShareType",
        'AllUsers' as "Visibility"
    from {{ ref('int_notes__client_notes') }} as notes
    inner join {{ ref('int_salesforce__people') }} as people
        on notes.person_external_id = people.person_external_id
    where people.quarantine_rule is null
)

select
    *,
    {{ row_hash(['ContentDocument__external_id', 'LinkedEntity__external_id', 'ShareType',
        'Visibility']) }} as row_hash
from shaped
