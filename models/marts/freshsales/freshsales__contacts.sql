-- Freshsales Contact: every client, practitioner and staff member (one per login); role,
-- status, wage and availability as cf_ custom fields (seeds/freshsales_fields.csv), the
-- household Sales Account as primary account. See int_freshsales__people for the rules.
with shaped as (
    select
        person_external_id as external_id,
        first_name,
        last_name,
        email,
        emails,
        mobile_number,
        work_number,
        street as address,
        city,
        state,
        zipcode,
        country,
        job_title,
        time_zone,
        role as cf_bizstim_role,
        roles as cf_bizstim_roles,
        client_status as cf_client_status,
        staff_status as cf_staff_status,
        client_since as cf_client_since,
        hire_date as cf_hire_date,
        wage_tier as cf_wage_tier,
        cast(wage_bonus as double) as cf_wage_bonus,
        bio as cf_bio,
        meeting_url as cf_meeting_url,
        cast(slot_duration as double) as cf_slot_duration,
        cast(session_limit as double) as cf_session_limit,
        assigned_services as cf_assigned_services,
        other_phones as cf_other_phones,
        custom_fields as cf_custom_fields,
        values_kept_raw as cf_values_kept_raw,
        availability as cf_availability,
        available_days as cf_available_days,
        available_from as cf_available_from,
        available_until as cf_available_until,
        availability_min_time as cf_availability_min_time,
        availability_max_time as cf_availability_max_time,
        sales_account_external_id as sales_account__external_id,
        owner_user_external_id as owner__user_external_id
    from {{ ref('int_freshsales__people') }}
    where quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'first_name', 'last_name', 'email', 'emails', 'mobile_number', 'work_number',
        'address', 'city', 'state', 'zipcode', 'country', 'job_title', 'time_zone',
        'cf_bizstim_role', 'cf_bizstim_roles', 'cf_client_status', 'cf_staff_status',
        'cf_client_since', 'cf_hire_date', 'cf_wage_tier', 'cf_wage_bonus', 'cf_bio',
        'cf_meeting_url', 'cf_slot_duration', 'cf_session_limit', 'cf_assigned_services',
        'cf_other_phones', 'cf_custom_fields', 'cf_values_kept_raw', 'cf_availability',
        'cf_available_days', 'cf_available_from', 'cf_available_until',
        'cf_availability_min_time', 'cf_availability_max_time', 'sales_account__external_id',
        'owner__user_external_id'
    ]) }} as row_hash
from shaped
