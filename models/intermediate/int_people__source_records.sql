-- Every client, practitioner and staff row as one "person source record", with the shared
-- person columns side by side and its disposition:
--   exclusion_rule  not_in_current_snapshot  (the record disappeared from Bizstim)
--   exclusion_rule  outside_pilot_sample     (pilot build only; see int_pilot__scope)
--   quarantine_rule client_detail_missing    (listed, but client/{id} 404'd or never landed;
--                                             not when the extraction's probe skipped the
--                                             details: the list record is then complete)
-- Role-specific fields (client details, practitioner wage data) stay NULL for other roles:
-- each role selects only the columns it has and `union all by name` fills the rest.
with client_details as (
    select * from {{ ref('stg_bizstim__client_details') }}
    where is_in_current_snapshot
),

details_skipped as (
    -- ingest/detail_probe.py: a spread sample of client/{id} held nothing beyond the list's
    -- fields, so the current cycle fetched only the sample
    select coalesce(bool_or(is_skipping_details), false) as is_skipped
    from {{ ref('stg_bizstim__detail_probes') }}
),

detail_misses as (
    select distinct record_id_number as client_id
    from {{ ref('stg_bizstim__detail_misses') }}
    where method = 'client' and is_in_current_snapshot
),

clients as (
    select
        'client' as source_kind,
        3 as kind_rank,
        clients.client_id as source_id,
        clients.users_id,
        clients.first_name,
        clients.last_name,
        clients.address1,
        clients.address2,
        clients.city,
        clients.state,
        clients.zipcode,
        clients.country,
        clients.p_phone,
        clients.s_phone,
        clients.text_phone,
        clients.email,
        details.status,
        details.notes,
        details.start_date,
        details.start_date_raw,
        details.timezone,
        details.meeting_url,
        details.service_ids,
        details.min_time,
        details.max_time,
        details.slot_duration,
        details.session_limit,
        [clients.avail_id] as avail_ids,
        case
            when not clients.is_in_current_snapshot then 'not_in_current_snapshot'
            {{ pilot_exclusion('client', 'clients.client_id') }}
        end as exclusion_rule,
        case
            when
                clients.is_in_current_snapshot and details.client_id is null
                and (misses.client_id is not null or not skipped.is_skipped)
                then 'client_detail_missing'
        end as quarantine_rule,
        case
            when misses.client_id is not null
                then 'Bizstim listed client ' || clients.client_id
                    || ' but client/' || clients.client_id
                    || ' answered 404: it was probably deleted during the extraction. Check the'
                    || ' client in Bizstim and run `bizmig extract` again.'
            else 'Client ' || clients.client_id
                || ' has no client/{id} detail record in raw_bizstim.client_details: run'
                || ' `bizmig extract` again to fetch it.'
        end as quarantine_reason_if_any
    from {{ ref('stg_bizstim__clients') }} as clients
    left join client_details as details on clients.client_id = details.client_id
    left join detail_misses as misses on clients.client_id = misses.client_id
    cross join details_skipped as skipped
),

practitioners as (
    select
        'practitioner' as source_kind,
        1 as kind_rank,
        practitioner_id as source_id,
        users_id,
        first_name,
        last_name,
        address1,
        address2,
        city,
        state,
        zipcode,
        country,
        p_phone,
        s_phone,
        text_phone,
        email,
        status,
        avail_ids,
        wage_tier,
        add_value,
        hire_date,
        case
            when not is_in_current_snapshot then 'not_in_current_snapshot'
            {{ pilot_exclusion('practitioner', 'practitioner_id') }}
        end as exclusion_rule
    from {{ ref('stg_bizstim__practitioners') }}
),

staffs as (
    select
        'staff' as source_kind,
        2 as kind_rank,
        staff_id as source_id,
        users_id,
        first_name,
        last_name,
        address1,
        address2,
        city,
        state,
        zipcode,
        country,
        p_phone,
        s_phone,
        text_phone,
        case
            when not is_in_current_snapshot then 'not_in_current_snapshot'
            {{ pilot_exclusion('staff', 'staff_id') }}
        end as exclusion_rule
    from {{ ref('stg_bizstim__staffs') }}
),

unioned as (
    select * from clients
    union all by name
    select * from practitioners
    union all by name
    select * from staffs
)

select
    source_kind || ':' || source_id as source_record_key,
    * exclude (quarantine_reason_if_any),
    case when quarantine_rule is not null then quarantine_reason_if_any end
        as quarantine_reason
from unioned
