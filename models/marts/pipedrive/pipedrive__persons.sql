-- Pipedrive Person: every client, practitioner and staff member (one per login), role,
-- status, wage and availability as custom fields. See int_pipedrive__people for the rules.
with shaped as (
    select
        person_external_id as external_id,
        person_name as name,  -- noqa: RF04
        emails,
        phones,
        add_time,
        role as cf_role,
        roles as cf_roles,
        status as cf_status,
        start_date as cf_start_date,
        hire_date as cf_hire_date,
        wage_tier as cf_wage_tier,
        cast(wage_bonus as double) as cf_wage_bonus,
        job_title as cf_job_title,
        bio as cf_bio,
        time_zone as cf_time_zone,
        meeting_url as cf_meeting_url,
        earliest_time as cf_earliest_time,
        latest_time as cf_latest_time,
        cast(slot_duration as double) as cf_slot_duration,
        cast(session_limit as double) as cf_session_limit,
        assigned_services as cf_assigned_services,
        address as cf_address,
        custom_fields as cf_custom_fields,
        values_kept_raw as cf_values_kept_raw,
        availability as cf_availability,
        available_days as cf_available_days,
        available_from as cf_available_from,
        available_until as cf_available_until,
        org_external_id as org__external_id,
        owner_user_external_id as owner__user_external_id
    from {{ ref('int_pipedrive__people') }}
    where quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'name', 'emails', 'phones', 'add_time', 'cf_role', 'cf_roles', 'cf_status',
        'cf_start_date', 'cf_hire_date', 'cf_wage_tier', 'cf_wage_bonus', 'cf_job_title',
        'cf_bio', 'cf_time_zone', 'cf_meeting_url', 'cf_earliest_time', 'cf_latest_time',
        'cf_slot_duration', 'cf_session_limit', 'cf_assigned_services', 'cf_address',
        'cf_custom_fields', 'cf_values_kept_raw', 'cf_availability', 'cf_available_days',
        'cf_available_from', 'cf_available_until', 'org__external_id', 'owner__user_external_id'
    ]) }} as row_hash
from shaped
