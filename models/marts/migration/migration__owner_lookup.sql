-- Bizstim users keyed by e-mail: the loader matches them to Twenty workspace members
-- (GET /rest/workspaceMembers, userEmail) to set owners/assignees. Not a record to create.
select
    user_external_id as external_id,
    email,
    user_id as bizstim_user_id,
    username,
    first_name,
    last_name,
    role,
    status
from {{ ref('int_users__owners') }}
where exclusion_rule is null and quarantine_rule is null
