-- Twenty `noteTargets`: attaches each note to its person. The loader sends
-- targetPerson__external_id as `targetPersonId` (Twenty 2.x) or `personId` (1.x).
with shaped as (
    select
        note_target_external_id as external_id,
        note_external_id as "note__external_id",
        person_external_id as "targetPerson__external_id"
    from {{ ref('int_notes__client_notes') }}
)

select
    *,
    {{ row_hash(['note__external_id', 'targetPerson__external_id']) }} as row_hash
from shaped
