-- Every migrated person (int_people__merged) as a monday item, one row each:
--   * board: a client is an item on Contacts; a practitioner or staff member (one per login
--     after the Staff/Practitioner dedup) an item on Practitioners (monday users need seats
--     and invitations, so the people who teach are items; their own monday user, matched by
--     e-mail at load, goes in the item's owner column).
--   * item name: first and last name; a person with neither is quarantined (name_missing),
--     one over monday's 255 characters too (monday_name_too_long): never cut.
--   * a role, status or wage tier that is not a label of the board's column in
--     seeds/monday_columns.csv quarantines the person (monday_label_unknown, macros/monday.sql).
--   * e-mails: `email` the first valid address, `other_emails` the other valid ones, one a
--     line (monday keeps no address unique, so a family's shared address stays on every
--     person); an invalid address is kept as typed in `kept_raw` (int_people__invalid_emails).
--   * phones: `phone` the first valid number as E.164, `other_phones` the other numbers and
--     the unparseable ones as typed, one a line.
with people as (
    select * from {{ ref('int_people__merged') }}
),

labelled as (
    select * from {{ ref('int_people__labelled') }}
),

owners as (
    select * from {{ ref('int_people__owner_users') }}
),

addresses as (
    select * from {{ ref('int_people__email_addresses') }}
),

invalid_emails as (
    select * from {{ ref('int_people__invalid_emails') }}
),

numbers as (
    select * from {{ ref('int_people__phone_numbers') }}
),

services as (
    select
        service_id,
        service_description
    from {{ ref('int_services__labelled') }}
),

emails as (
    select
        person_external_id,
        arg_min(email, position) filter (where is_valid) as email,
        nullif(
            string_agg(distinct email, chr(10) order by email) filter (where is_valid), ''
        ) as all_valid
    from addresses
    group by person_external_id
),

phones as (
    select
        person_external_id,
        arg_min(e164, position) filter (where is_valid) as phone,
        list(coalesce(e164, raw_phone) order by position) as all_phones
    from numbers
    group by person_external_id
),

assigned as (
    select
        people.person_external_id,
        string_agg(services.service_description, chr(10) order by services.service_description)
            as services
    from people
    cross join unnest(people.service_ids) as assigned_ids (service_id)
    inner join services on assigned_ids.service_id = services.service_id
    group by people.person_external_id
),

shaped as (
    select
        people.person_external_id,
        people.client_id is not null as is_client,
        case when people.client_id is not null then 'contacts' else 'practitioners' end
            as board,
        nullif(trim(concat_ws(' ', people.first_name, people.last_name)), '') as item_name,
        emails.email,
        nullif(array_to_string(list_filter(
            string_split(emails.all_valid, chr(10)), lambda address: address <> emails.email
        ), chr(10)), '') as other_emails,
        phones.phone,
        nullif(array_to_string(list_filter(
            phones.all_phones, lambda number: number is distinct from phones.phone  -- noqa: RF02
        ), chr(10)), '') as other_phones,
        case
            when list_contains(people.roles, 'PRACTITIONER') then 'Practitioner'
            when list_contains(people.roles, 'STAFF') then 'Staff'
        end as role,
        labelled.status_label as status,
        labelled.wage_tier_label as wage_tier,
        cast(people.add_value as decimal(18, 2)) as wage_bonus,
        people.hire_date,
        people.start_date as client_since,
        labelled.job_title,
        labelled.bio,
        people.meeting_url,
        people.timezone as time_zone,
        nullif(concat_ws(
            chr(10), people.address1, people.address2,
            nullif(concat_ws(' ', people.city, people.state, people.zipcode), ''), people.country
        ), '') as address,
        assigned.services,
        labelled.custom_fields,
        invalid_emails.kept_raw_lines as values_kept_raw,
        case when people.client_id is null then owners.owner_user_external_id end
            as owner_user_external_id
    from people
    left join labelled on people.person_external_id = labelled.person_external_id
    left join owners on people.person_external_id = owners.person_external_id
    left join emails on people.person_external_id = emails.person_external_id
    left join invalid_emails on people.person_external_id = invalid_emails.person_external_id
    left join phones on people.person_external_id = phones.person_external_id
    left join assigned on people.person_external_id = assigned.person_external_id
),

checked as (
    select
        *,
        {{ monday_unknown_label('shaped', 'shaped.board', ['role', 'status', 'wage_tier']) }}
            as unknown_label
    from shaped
)

select
    * exclude (unknown_label),
    case
        when item_name is null then 'name_missing'
        when length(item_name) > 255 then 'monday_name_too_long'
        when unknown_label is not null then 'monday_label_unknown'
    end as quarantine_rule,
    case
        when item_name is null
            then person_external_id || ' has neither a first nor a last name, and a monday'
                || ' item needs a name; enter the name in Bizstim.'
        when length(item_name) > 255
            then person_external_id || ': the name "' || left(item_name, 60) || '..." has '
                || length(item_name) || ' characters, more than the 255 of a monday item'
                || ' name; shorten it in Bizstim.'
        when unknown_label is not null
            then {{ monday_unknown_label_reason('person_external_id', 'unknown_label', 'board') }}
    end as quarantine_reason
from checked
