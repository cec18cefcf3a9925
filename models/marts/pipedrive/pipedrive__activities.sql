-- Pipedrive Activity: one per migrated Bizstim session, subject and note in the parseable
-- form of int_pipedrive__activities, the note ending with [bizstim:<external_id>].
with shaped as (
    select
        session_external_id as external_id,
        subject,
        activity_type as type,
        due_date,
        due_time,
        duration,
        done,
        note,
        person_external_id as person__external_id,
        org_external_id as org__external_id,
        owner_user_external_id as owner__user_external_id
    from {{ ref('int_pipedrive__activities') }}
    where quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'subject', 'type', 'due_date', 'due_time', 'duration', 'done', 'note',
        'person__external_id', 'org__external_id', 'owner__user_external_id'
    ]) }} as row_hash
from shaped
