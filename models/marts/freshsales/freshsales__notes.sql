-- Freshsales Note on a Contact: the Bizstim notes of each client with notes
-- (int_notes__client_notes), and each payment when seeds/freshsales_settings.csv has
-- payments_as = notes. description is plain text ending with [bizstim:<external_id>] (notes
-- carry no custom field). created_at: a payment's date at 12:00 UTC, none for a client's
-- notes (Bizstim keeps no date for them); the loader sends it only behind
-- FRESHSALES_NOTE_CREATED_AT (whether Freshsales takes it is unconfirmed).
with people as (
    select
        person_external_id,
        notes
    from {{ ref('int_people__merged') }}
),

in_freshsales as (
    select person_external_id
    from {{ ref('int_freshsales__people') }}
    where quarantine_rule is null
),

client_notes as (
    select
        notes.note_external_id as external_id,
        concat_ws(
            chr(10), notes.title, people.notes, '[bizstim:' || notes.note_external_id || ']'
        ) as description,
        cast(null as timestamptz) as created_at,
        notes.person_external_id as contact__external_id
    from {{ ref('int_notes__client_notes') }} as notes
    inner join people on notes.person_external_id = people.person_external_id
    inner join in_freshsales on notes.person_external_id = in_freshsales.person_external_id
),

payment_notes as (
    select
        payment_external_id as external_id,
        note_description as description,
        note_created_at as created_at,
        client_external_id as contact__external_id
    from {{ ref('int_freshsales__payments') }}
    where quarantine_rule is null and payments_as = 'notes'
),

unioned as (
    select * from client_notes
    union all
    select * from payment_notes
),

targeted as (
    select
        external_id,
        description,
        'Contact' as targetable_type,
        created_at,
        contact__external_id
    from unioned
)

select
    *,
    {{ row_hash(['description', 'targetable_type', 'created_at', 'contact__external_id']) }}
        as row_hash
from targeted
