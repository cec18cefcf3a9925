-- Pipedrive Note (v1): the Bizstim notes of each client with notes (int_notes__client_notes),
-- and each payment when seeds/pipedrive_settings.csv has payments_as = notes. content is HTML
-- (special characters escaped, line breaks as <br>) ending with [bizstim:<external_id>];
-- add_time is 'YYYY-MM-DD HH:MM:SS' UTC as v1 takes it: a payment's date at noon, none for a
-- client's notes (Bizstim keeps no date for them: Pipedrive stamps the load time).
with people as (
    select
        person_external_id,
        notes
    from {{ ref('int_people__merged') }}
),

in_pipedrive as (
    select person_external_id
    from {{ ref('int_pipedrive__people') }}
    where quarantine_rule is null
),

client_notes as (
    select
        notes.note_external_id as external_id,
        '<b>' || {{ content_note_body('notes.title') }} || '</b><br>'
        || {{ content_note_body('people.notes') }}
        || '<br>[bizstim:' || notes.note_external_id || ']' as content,  -- noqa: RF04
        cast(null as varchar) as add_time,
        notes.person_external_id as person__external_id
    from {{ ref('int_notes__client_notes') }} as notes
    inner join people on notes.person_external_id = people.person_external_id
    inner join in_pipedrive on notes.person_external_id = in_pipedrive.person_external_id
),

payment_notes as (
    select
        payment_external_id as external_id,
        note_content as content,  -- noqa: RF04
        note_add_time as add_time,
        client_external_id as person__external_id
    from {{ ref('int_pipedrive__payments') }}
    where quarantine_rule is null and payments_as = 'notes'
),

unioned as (
    select * from client_notes
    union all
    select * from payment_notes
)

select
    *,
    {{ row_hash(['content', 'add_time', 'person__external_id']) }} as row_hash
from unioned
