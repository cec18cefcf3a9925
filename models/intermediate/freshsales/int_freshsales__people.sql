-- Every migrated person (int_people__merged) as a Freshsales Contact, with the household
-- Sales Account of a client, one row each:
--   * household: a client whose status seeds/freshsales_client_routing.csv routes to
--     `household` (the `*` row for any other status or none) gets the Sales Account
--     `household:<person external id>`, named by household_name_format, as its primary
--     account. A deal cannot be created without an account (destinations-2.md §3.10 pitfall
--     3), so while payments_as = deals a client with a migrated payment gets its household
--     whatever the routing says (paying_clients): no payment is held back for want of one.
--     Practitioners and staff have none (Bizstim does not expose the business).
--   * role: practitioners and staff are Contacts too (Freshsales users cannot be created by
--     API): main role as the dropdown "Bizstim role", and their own Bizstim user, matched to
--     a Freshsales user by e-mail at load, as owner.
--   * e-mails: `email` the first valid address, `emails` every one as JSON
--     [{value, is_primary, label}]; an invalid address is kept in "Bizstim values kept as
--     typed". Phones (E.164 with extension; an unparseable one as typed): the first text
--     phone is mobile_number, the first other number work_number, the rest "Other phones".
--   * a person with neither first nor last name is quarantined (name_missing); a name or
--     household name over 255 characters too (freshsales_field_too_long): never cut.
with people as (
    select * from {{ ref('int_people__merged') }}
),

settings as (
    select * from {{ ref('int_freshsales__settings') }}
),

routing as (
    select * from {{ ref('freshsales_client_routing') }}
),

owners as (
    select * from {{ ref('int_people__owner_users') }}
),

labelled as (
    select * from {{ ref('int_people__labelled') }}
),

availability as (
    select * from {{ ref('int_availability__by_person') }}
),

paying_clients as (
    select distinct client_external_id
    from {{ ref('int_payments__ledger') }}
    where exclusion_rule is null and quarantine_rule is null
),

-- Freshsales keeps every contact address unique among live contacts (a second holder is
-- refused "emails: has already been taken"), so each address has the one owner
-- int_people__email_owners names (Twenty's rule); the others keep it as a kept-as-typed line.
owned_addresses as (
    select * from {{ ref('int_people__email_owners') }}
),

addresses as (
    select
        person_external_id,
        arg_min(email, position) as email,
        cast(to_json(list({
            'value': email, 'is_primary': position = first_position, 'label': 'home'
        } order by position)) as varchar) as emails
    from (
        select
            *,
            min(position) over (partition by person_external_id) as first_position
        from owned_addresses
        where is_owner
    ) as ranked
    group by person_external_id
),

shared_emails as (
    select
        person_external_id,
        string_agg(
            'shared email: ' || email || ' (another contact holds it; Freshsales keeps'
            || ' contact e-mails unique)', chr(10) order by position
        ) as shared_lines
    from owned_addresses
    where not is_owner
    group by person_external_id
),

bad_emails as (
    select
        person_external_id,
        kept_raw_lines as values_kept_raw
    from {{ ref('int_people__invalid_emails') }}
),

numbers as (
    select
        person_external_id,
        phone,
        position,
        min(case when is_mobile then position end)
            over (partition by person_external_id) as mobile_position,
        min(case when not is_mobile then position end)
            over (partition by person_external_id) as work_position
    from (
        select
            person_external_id,
            source_field = 'text_phone' as is_mobile,
            case
                when is_valid then e164 || coalesce(' ext. ' || extension, '')
                else trim(raw_phone)
            end as phone,
            position
        from {{ ref('int_people__phone_numbers') }}
        where trim(raw_phone) <> ''
    ) as typed_numbers
),

phones as (
    select
        person_external_id,
        max(phone) filter (where position = mobile_position) as mobile_number,
        max(phone) filter (where position = work_position) as work_number,
        arg_min(phone, position) as first_phone,
        string_agg(phone, chr(10) order by position) filter (where is_other) as other_phones
    from (
        select
            *,
            coalesce(position <> mobile_position, true)
            and coalesce(position <> work_position, true) as is_other
        from numbers
    ) as ranked_numbers
    group by person_external_id
),

routed as (
    select
        people.*,
        people.client_id is not null as is_client,
        coalesce(people.last_name, people.first_name) as household_last_name,
        case when people.last_name is not null then people.first_name end as household_first_name,
        nullif(trim(concat_ws(' ', people.first_name, people.last_name)), '') as person_name,
        people.client_id is not null
        and (
            coalesce(by_status.sales_account, by_default.sales_account) = 'household'
            or (
                settings.payments_as = 'deals'
                and paying_clients.client_external_id is not null
            )
        ) as has_household
    from people
    cross join settings
    left join routing as by_status on people.status = by_status.client_status
    left join routing as by_default on by_default.client_status = '*'
    left join paying_clients on people.person_external_id = paying_clients.client_external_id
),

shaped as (
    select
        routed.person_external_id,
        routed.is_client,
        routed.person_name,
        routed.first_name,
        routed.last_name,
        addresses.email,
        addresses.emails,
        phones.mobile_number,
        phones.work_number,
        phones.other_phones,
        nullif(concat_ws(chr(10), routed.address1, routed.address2), '') as street,
        routed.city,
        routed.state,
        routed.zipcode,
        routed.country,
        labelled.job_title,
        routed.timezone as time_zone,
        case when routed.has_household then 'household:' || routed.person_external_id end
            as sales_account_external_id,
        case
            when routed.has_household
                then {{ fill_name_template(
                    'settings.household_name_format',
                    'routed.household_first_name',
                    'routed.household_last_name'
                ) }}
        end as sales_account_name,
        case when not routed.is_client then owners.owner_user_external_id end
            as owner_user_external_id,
        case
            when list_contains(routed.roles, 'PRACTITIONER') then 'Practitioner'
            when list_contains(routed.roles, 'STAFF') then 'Staff'
            else 'Client'
        end as role,
        nullif(concat_ws(
            '|',
            case when routed.is_client then 'Client' end,
            case when list_contains(routed.roles, 'PRACTITIONER') then 'Practitioner' end,
            case when list_contains(routed.roles, 'STAFF') then 'Staff' end
        ), '') as roles,
        case when routed.is_client then labelled.status_label end as client_status,
        case when not routed.is_client then labelled.status_label end as staff_status,
        routed.start_date as client_since,
        routed.hire_date,
        labelled.wage_tier_label as wage_tier,
        routed.add_value as wage_bonus,
        labelled.bio,
        routed.meeting_url,
        routed.slot_duration,
        routed.session_limit,
        nullif(array_to_string(list_sort(cast(routed.service_ids as varchar[])), ', '), '')
            as assigned_services,
        labelled.custom_fields,
        nullif(concat_ws(chr(10), bad_emails.values_kept_raw, shared_emails.shared_lines), '')
            as values_kept_raw,
        availability.availability,
        availability.available_days,
        availability.available_from,
        availability.available_until,
        routed.min_time as availability_min_time,
        routed.max_time as availability_max_time,
        phones.first_phone
    from routed
    cross join settings
    left join addresses on routed.person_external_id = addresses.person_external_id
    left join bad_emails on routed.person_external_id = bad_emails.person_external_id
    left join shared_emails on routed.person_external_id = shared_emails.person_external_id
    left join phones on routed.person_external_id = phones.person_external_id
    left join owners on routed.person_external_id = owners.person_external_id
    left join labelled on routed.person_external_id = labelled.person_external_id
    left join availability on routed.person_external_id = availability.person_external_id
)

select
    *,
    case
        when person_name is null then 'name_missing'
        when
            length(first_name) > 255
            or length(last_name) > 255
            or length(sales_account_name) > 255
            then 'freshsales_field_too_long'
    end as quarantine_rule,
    case
        when person_name is null
            then person_external_id || ' has neither a first nor a last name, and a Freshsales'
                || ' Contact needs a name; enter the name in Bizstim.'
        when length(first_name) > 255 or length(last_name) > 255
            then person_external_id || ': the name "' || person_name || '" is longer than the'
                || ' 255 characters of a Freshsales name field; shorten it in Bizstim.'
        when length(sales_account_name) > 255
            then person_external_id || ': the household name "' || sales_account_name
                || '" has ' || length(sales_account_name) || ' characters, more than the 255'
                || ' of a Freshsales Sales Account name; shorten the name in Bizstim or change'
                || ' household_name_format in seeds/freshsales_settings.csv.'
    end as quarantine_reason
from shaped
