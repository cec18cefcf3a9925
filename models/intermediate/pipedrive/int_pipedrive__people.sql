-- Every migrated person (int_people__merged) as a Pipedrive Person, one row each:
--   * name: Pipedrive's Person has one required `name` (255 characters): first and last name
--     joined. A person with neither is quarantined (name_missing), a longer name too
--     (pipedrive_field_too_long): a name is never cut.
--   * organization: a client whose status seeds/pipedrive_client_routing.csv routes to
--     `household` (the `*` row for any other status or none) gets its own Organization
--     `household:<person external id>`, named by household_name_format; practitioners and
--     staff have none (Bizstim does not expose the business).
--   * role: the main role as the enum "Bizstim role" (practitioner before staff), every role
--     in the set "Bizstim roles"; the owner of a practitioner's or staff member's Person is
--     their own Bizstim user (matched to a Pipedrive user by e-mail at load, never created).
--   * e-mails and phones: every valid address and every number (E.164 with its extension,
--     an unparseable one as typed: Pipedrive's phone is free text), the first primary.
--     An invalid address is kept in "Bizstim values kept as typed".
--   * availability: the windows of int_availability__windows in 4 Person fields (text, set
--     of weekdays, earliest start, latest end).
--   * a varchar custom field holds 255 characters (Pipedrive's "Text" field; the stand-in
--     enforces the same): a longer value is left empty and kept in full in the text field
--     "Bizstim values kept as typed".
with people as (
    select * from {{ ref('int_people__merged') }}
),

settings as (
    select * from {{ ref('int_pipedrive__settings') }}
),

routing as (
    select * from {{ ref('pipedrive_client_routing') }}
),

owners as (
    select * from {{ ref('int_people__owner_users') }}
),

labelled as (
    select * from {{ ref('int_people__labelled') }}
),

addresses as (
    select
        person_external_id,
        email,
        min(position) as position
    from {{ ref('int_people__email_addresses') }}
    where is_valid
    group by person_external_id, email
),

emails as (
    select
        person_external_id,
        cast(to_json(list({
            'value': email, 'primary': position = first_position, 'label': 'home'
        } order by position)) as varchar) as emails
    from (
        select
            *,
            min(position) over (partition by person_external_id) as first_position
        from addresses
    ) as ranked
    group by person_external_id
),

bad_emails as (
    select
        person_external_id,
        invalid_tokens as raw_tokens
    from {{ ref('int_people__invalid_emails') }}
),

numbers as (
    select
        person_external_id,
        case
            when is_valid then e164 || coalesce(' ext. ' || extension, '')
            else trim(raw_phone)
        end as phone,
        min(position) as position,
        arg_min(source_field, position) as source_field
    from {{ ref('int_people__phone_numbers') }}
    group by all
),

phones as (
    select
        person_external_id,
        cast(to_json(list({
            'value': phone,
            'primary': position = first_position,
            'label': case source_field
                when 'text_phone' then 'mobile' when 's_phone' then 'other' else 'home'
            end
        } order by position)) as varchar) as phones
    from (
        select
            *,
            min(position) over (partition by person_external_id) as first_position
        from numbers
        where phone <> ''
    ) as ranked
    group by person_external_id
),

availability as (
    select * from {{ ref('int_availability__by_person') }}
),

routed as (
    select
        people.*,
        people.client_id is not null as is_client,
        coalesce(people.last_name, people.first_name) as household_last_name,
        case when people.last_name is not null then people.first_name end as household_first_name,
        nullif(trim(concat_ws(' ', people.first_name, people.last_name)), '') as person_name,
        nullif(
            concat_ws(
                ', ', people.address1, people.address2, people.city,
                trim(concat_ws(' ', people.state, people.zipcode)), people.country
            ),
            ''
        ) as one_line_address,
        people.client_id is not null
        and coalesce(by_status.organization, by_default.organization) = 'household' as has_household
    from people
    left join routing as by_status on people.status = by_status.client_status
    left join routing as by_default on by_default.client_status = '*'
),

shaped as (
    select
        routed.person_external_id,
        routed.is_client,
        routed.person_name,
        case when routed.has_household then 'household:' || routed.person_external_id end
            as org_external_id,
        case
            when routed.has_household
                then {{ fill_name_template(
                    'settings.household_name_format',
                    'routed.household_first_name',
                    'routed.household_last_name'
                ) }}
        end as org_name,
        case when routed.has_household and routed.one_line_address is not null
                then cast(to_json({ 'value': routed.one_line_address }) as varchar)
        end as org_address,
        emails.emails,
        phones.phones,
        strftime(coalesce(routed.start_date, routed.hire_date), '%Y-%m-%dT%H:%M:%SZ') as add_time,
        case when not routed.is_client then owners.owner_user_external_id end
            as owner_user_external_id,
        case
            when list_contains(routed.roles, 'PRACTITIONER') then 'Practitioner'
            when list_contains(routed.roles, 'STAFF') then 'Staff'
            else 'Client'
        end as role,
        routed.roles as bizstim_roles,
        labelled.status_label as status,
        routed.start_date,
        routed.hire_date,
        labelled.wage_tier_label as wage_tier,
        routed.add_value as wage_bonus,
        labelled.job_title as raw_job_title,
        labelled.bio,
        routed.timezone as raw_time_zone,
        routed.meeting_url as raw_meeting_url,
        routed.min_time as raw_earliest_time,
        routed.max_time as raw_latest_time,
        routed.slot_duration,
        routed.session_limit,
        nullif(array_to_string(list_sort(cast(routed.service_ids as varchar[])), ', '), '')
            as assigned_services,
        routed.one_line_address as address,
        labelled.custom_fields,
        availability.availability,
        availability.available_days,
        availability.available_from,
        availability.available_until,
        bad_emails.raw_tokens as invalid_emails
    from routed
    cross join settings
    left join emails on routed.person_external_id = emails.person_external_id
    left join bad_emails on routed.person_external_id = bad_emails.person_external_id
    left join phones on routed.person_external_id = phones.person_external_id
    left join owners on routed.person_external_id = owners.person_external_id
    left join labelled on routed.person_external_id = labelled.person_external_id
    left join availability on routed.person_external_id = availability.person_external_id
),

kept as (
    select
        * exclude (
            raw_job_title,
            raw_time_zone,
            raw_meeting_url,
            raw_earliest_time,
            raw_latest_time,
            invalid_emails,
            bizstim_roles
        ),
        array_to_string(list_filter([
            case when is_client then 'Client' end,
            case when list_contains(bizstim_roles, 'PRACTITIONER') then 'Practitioner' end,
            case when list_contains(bizstim_roles, 'STAFF') then 'Staff' end
        ], lambda role_label: role_label is not null), '|') as roles,
        {%- for field in ['job_title', 'time_zone', 'meeting_url', 'earliest_time',
            'latest_time'] %}
            case when length(raw_{{ field }}) <= 255 then raw_{{ field }} end as {{ field }},
        {%- endfor %}
        nullif(concat_ws(
            chr(10),
            array_to_string(
                list_transform(
                    invalid_emails,
                    lambda token: 'email: ' || token || ' (not a valid e-mail address)'
                ),
                chr(10)
            ),
            {%- for field in ['job_title', 'time_zone', 'meeting_url', 'earliest_time',
                'latest_time'] %}
                case when length(raw_{{ field }}) > 255
                        then '{{ field }}: ' || raw_{{ field }} || ' ('
                            || length(raw_{{ field }})
                            || ' characters, more than the 255 of a Pipedrive text field)'
                end{{ "," if not loop.last }}
            {%- endfor %}
        ), '') as values_kept_raw
    from shaped
)

select
    *,
    case
        when person_name is null then 'name_missing'
        when length(person_name) > 255 or length(org_name) > 255 then 'pipedrive_field_too_long'
    end as quarantine_rule,
    case
        when person_name is null
            then person_external_id || ' has neither a first nor a last name, and a Pipedrive'
                || ' Person needs a name; enter the name in Bizstim.'
        when length(person_name) > 255
            then person_external_id || ': the name "' || person_name || '" has '
                || length(person_name) || ' characters, more than the 255 of a Pipedrive'
                || ' Person''s name; shorten it in Bizstim.'
        when length(org_name) > 255
            then person_external_id || ': the household name "' || org_name || '" has '
                || length(org_name) || ' characters, more than the 255 of a Pipedrive'
                || ' Organization''s name; shorten the name in Bizstim or change'
                || ' household_name_format in seeds/pipedrive_settings.csv.'
    end as quarantine_reason
from kept
