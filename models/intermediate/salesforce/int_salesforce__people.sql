-- Every migrated person (int_people__merged) as Salesforce takes them, one row each:
--   * routing: a client becomes a Lead or a Contact by its status (seeds/
--     salesforce_client_routing.csv; the `*` row for any other status or none); practitioners
--     and staff (one person per login) are always Contacts. Users are never created.
--   * account: a client Contact gets its own household Account `household:<client ext id>`
--     named by household_name_format (seeds/salesforce_settings.csv); a team Contact belongs to
--     the one practice-team Account `business:team`. A Lead has no Account (Company instead,
--     lead_company_format).
--   * names: LastName is required; a person without a last name gets the first name as
--     LastName (and no FirstName); one without either is quarantined (name_missing).
--   * lengths (Salesforce's real limits, counted as it counts): nothing is truncated. A value
--     that identifies the record (LastName 80, Company 255, the household Account's Name 255)
--     quarantines the person with rule salesforce_field_too_long; any other value too long for
--     its field is left empty and kept in full in Bizstim_Values_Kept_Raw__c (a note).
--   * notes: invalid e-mails, unparseable phones, phone extensions, client values that are
--     not a date / whole number, and too-long values, one line each in values_kept_raw.
with people as (
    select * from {{ ref('int_people__merged') }}
),

settings as (
    select * from {{ ref('int_salesforce__settings') }}
),

routing as (
    select * from {{ ref('salesforce_client_routing') }}
),

contact_points as (
    select * from {{ ref('int_salesforce__contact_points') }}
),

labelled as (
    select * from {{ ref('int_people__labelled') }}
),

countries as (
    select distinct on (spelling) * from {{ ref('country_codes') }}
),

client_values as (
    select
        client_id,
        list_filter([
            {%- for field_name, raw_column, typed_column, expected in [
                ('start_date', 'start_date_raw', 'start_date', 'not a date (YYYY-MM-DD)'),
                ('slot_duration', 'slot_duration_raw', 'slot_duration', 'not a whole number'),
                ('session_limit', 'session_limit_raw', 'session_limit', 'not a whole number'),
            ] %}
                case
                    when {{ raw_column }} is not null and {{ typed_column }} is null
                        then {
                                'source_field': '{{ field_name }}',
                                'raw_value': {{ raw_column }},
                                'reason': '{{ expected }}',
                                'rule': 'value_not_typed_kept_raw'
                            }
                end{{ "," if not loop.last }}
            {%- endfor %}
        ], lambda note: note is not null) as notes
    from {{ ref('stg_bizstim__client_details') }}
    where is_in_current_snapshot
),

routed as (
    select
        people.*,
        people.client_id is not null as is_client,
        case
            when people.client_id is null then 'Contact'
            else coalesce(by_status.salesforce_object, by_default.salesforce_object)
        end as salesforce_object,
        coalesce(people.last_name, people.first_name) as sf_last_name,
        case when people.last_name is not null then people.first_name end as sf_first_name,
        nullif(concat_ws(chr(10), people.address1, people.address2), '') as street,
        coalesce(countries.country_name, people.country) as country_name
    from people
    left join routing as by_status on people.status = by_status.client_status
    left join routing as by_default on by_default.client_status = '*'
    left join countries on lower(trim(people.country)) = countries.spelling
),

shaped as (
    select
        routed.person_external_id,
        routed.is_client,
        routed.salesforce_object,
        routed.client_id,
        routed.practitioner_id,
        routed.staff_id,
        routed.users_id,
        case
            when routed.salesforce_object = 'Lead' then null
            when routed.is_client then 'household:' || routed.person_external_id
            else 'business:team'
        end as account_external_id,
        case
            when routed.salesforce_object = 'Contact' and routed.is_client
                then {{ fill_name_template(
                    'settings.household_name_format', 'routed.sf_first_name', 'routed.sf_last_name'
                ) }}
        end as account_name,
        case
            when routed.salesforce_object = 'Lead'
                then {{ fill_name_template(
                    'settings.lead_company_format', 'routed.sf_first_name', 'routed.sf_last_name'
                ) }}
        end as company,
        routed.sf_last_name as last_name,
        {{ salesforce_fit('routed.sf_first_name', 40) }} as first_name,
        contact_points.email,
        contact_points.other_emails,
        contact_points.phone,
        contact_points.mobile_phone,
        contact_points.other_phones,
        {{ salesforce_fit('labelled.job_title', 128) }} as title,
        {{ salesforce_fit('routed.street', 255) }} as street,
        {{ salesforce_fit('routed.city', 40) }} as city,
        {{ salesforce_fit('routed.state', 80) }} as state,
        {{ salesforce_fit('routed.zipcode', 20) }} as postal_code,
        {{ salesforce_fit('routed.country_name', 80) }} as country,
        case
            when list_contains(routed.roles, 'PRACTITIONER') then 'Practitioner'
            when list_contains(routed.roles, 'STAFF') then 'Staff'
            else 'Client'
        end as contact_type,
        {{ salesforce_roles('routed.roles') }} as roles,
        labelled.status_label,
        routed.start_date,
        routed.hire_date,
        labelled.wage_tier_label,
        routed.add_value as wage_bonus,
        {{ salesforce_fit('routed.timezone', 64) }} as time_zone,
        {{ salesforce_fit('routed.meeting_url', 255) }} as meeting_url,
        {{ salesforce_fit('routed.min_time', 8) }} as min_time,
        {{ salesforce_fit('routed.max_time', 8) }} as max_time,
        cast(routed.slot_duration as integer) as slot_duration,
        cast(routed.session_limit as integer) as session_limit,
        nullif(array_to_string(cast(routed.service_ids as varchar[]), ', '), '') as service_ids,
        labelled.bio,
        labelled.custom_fields,
        list_concat(
            coalesce(contact_points.kept_raw_notes, []),
            coalesce(client_values.notes, []),
            {{ salesforce_too_long_notes([
                ('first_name', 'routed.sf_first_name', 40),
                ('title', 'labelled.job_title', 128),
                ('address', 'routed.street', 255),
                ('city', 'routed.city', 40),
                ('state', 'routed.state', 80),
                ('zipcode', 'routed.zipcode', 20),
                ('country', 'routed.country_name', 80),
                ('timezone', 'routed.timezone', 64),
                ('meeting_url', 'routed.meeting_url', 255),
                ('min_time', 'routed.min_time', 8),
                ('max_time', 'routed.max_time', 8),
            ]) }}
        ) as kept_raw_notes
    from routed
    cross join settings
    left join contact_points on routed.person_external_id = contact_points.person_external_id
    left join labelled on routed.person_external_id = labelled.person_external_id
    left join client_values on routed.client_id = client_values.client_id
),

checked as (
    select
        *,
        case
            when last_name is null then 'LastName'
            when {{ salesforce_too_long('last_name', 80) }} then 'LastName'
            when {{ salesforce_too_long('company', 255) }} then 'Company'
            when {{ salesforce_too_long('account_name', 255) }} then 'Account Name'
        end as failing_field,
        case
            when {{ salesforce_too_long('last_name', 80) }} then last_name
            when {{ salesforce_too_long('company', 255) }} then company
            when {{ salesforce_too_long('account_name', 255) }} then account_name
        end as failing_value
    from shaped
),

-- the notes' text apart: its lambda's references would make the selects above inconsistent
described as (
    select
        *,
        {{ kept_raw_text('kept_raw_notes') }} as values_kept_raw
    from checked
)

select
    * exclude (failing_field, failing_value),
    case
        when last_name is null then 'name_missing'
        when failing_field is not null then 'salesforce_field_too_long'
    end as quarantine_rule,
    case
        when last_name is null
            then person_external_id || ' has neither a last nor a first name, and a Salesforce '
                || salesforce_object || ' needs LastName; enter the name in Bizstim.'
        when failing_field is not null
            then person_external_id || ': the ' || salesforce_object || '''s '
                || failing_field || ' "' || failing_value || '" has '
                || {{ salesforce_length('failing_value') }} || ' characters, more than the '
                || case failing_field when 'LastName' then 80 else 255 end
                || ' Salesforce holds; shorten it in Bizstim'
                || case
                    when failing_field = 'LastName' then '.'
                    else ' or change the template in seeds/salesforce_settings.csv.'
                end
    end as quarantine_reason
from described
