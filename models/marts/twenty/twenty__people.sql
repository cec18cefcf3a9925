-- Twenty `people`: one row per person (clients, practitioners, staff; practitioner+staff
-- sharing a login merged). Payload columns carry Twenty's field names and shapes; see
-- _twenty__models.yml for the contract and models/README.md for the rules.
with people as (
    select * from {{ ref('int_people__merged') }}
),

emails as (
    select * from {{ ref('int_people__emails') }}
),

phones as (
    select * from {{ ref('int_people__phones') }}
),

profiles as (
    select * from {{ ref('int_people__staff_profiles') }}
    where exclusion_rule is null and quarantine_rule is null
),

-- The confirmed custom fields of each client as one JSON object (Twenty field name → value,
-- keys sorted so row_hash is stable); fields without a value are left out.
custom_values as (
    select
        person_external_id,
        to_json(map(
            list(target_field_name order by target_field_name),
            list(json_value order by target_field_name)
        )) as custom_fields
    from {{ ref('int_people__custom_values') }}
    where is_migrated
    group by person_external_id
),

countries as (
    select distinct on (spelling) * from {{ ref('country_codes') }}
),

shaped as (
    select
        people.person_external_id as external_id,
        {
            'firstName': coalesce(people.first_name, ''),
            'lastName': coalesce(people.last_name, '')
        } as "name",
        {
            'primaryEmail': emails.primary_email,
            'additionalEmails': coalesce(emails.additional_emails, cast([] as varchar[]))
        } as "emails",
        {
            'primaryPhoneNumber': phones.primary_phone_number,
            'primaryPhoneCountryCode': phones.primary_phone_country_code,
            'primaryPhoneCallingCode': phones.primary_phone_calling_code,
            'additionalPhones': coalesce(
                phones.additional_phones,
                cast([] as struct("number" varchar, "countryCode" varchar, "callingCode" varchar)[])
            )
        } as "phones",
        people.city as "city",
        profiles.title as "jobTitle",
        people.roles as "bizstimRoles",
        people.status as "bizstimStatus",
        {
            'addressStreet1': people.address1,
            'addressStreet2': people.address2,
            'addressCity': people.city,
            'addressState': people.state,
            'addressPostcode': people.zipcode,
            'addressCountry': coalesce(countries.country_name, people.country)
        } as "homeAddress",
        phones.raw_phones as "rawPhones",
        emails.raw_emails as "rawEmails",
        coalesce(emails.email_shared, false) as "emailShared",
        people.wage_tier as "wageTier",
        people.add_value as "wageBonus",
        people.hire_date as "hireDate",
        people.start_date as "clientStartDate",
        people.timezone as "timeZone",
        {{ twenty_link_url("people.meeting_url") }} as "meetingUrl",
        people.min_time as "minTime",
        people.max_time as "maxTime",
        cast(people.slot_duration as integer) as "slotDuration",
        cast(people.session_limit as integer) as "sessionLimit",
        cast(people.service_ids as varchar[]) as "assignedServiceIds",
        profiles.bio as "staffBio",
        people.client_id as "bizstimClientId",
        people.practitioner_id as "bizstimPractitionerId",
        people.staff_id as "bizstimStaffId",
        people.users_id as "bizstimUserId",
        coalesce(custom_values.custom_fields, cast('{}' as json)) as custom_fields
    from people
    left join emails on people.person_external_id = emails.person_external_id
    left join phones on people.person_external_id = phones.person_external_id
    left join profiles on people.person_external_id = profiles.person_external_id
    left join custom_values on people.person_external_id = custom_values.person_external_id
    left join countries on lower(people.country) = countries.spelling
)

select
    *,
    {{ row_hash([
        'name', 'emails', 'phones', 'city', 'jobTitle', 'bizstimRoles', 'bizstimStatus',
        'homeAddress', 'rawPhones', 'rawEmails', 'emailShared', 'wageTier', 'wageBonus',
        'hireDate', 'clientStartDate', 'timeZone', 'meetingUrl', 'minTime', 'maxTime',
        'slotDuration', 'sessionLimit', 'assignedServiceIds', 'staffBio', 'bizstimClientId',
        'bizstimPractitionerId', 'bizstimStaffId', 'bizstimUserId', 'custom_fields'
    ]) }} as row_hash
from shaped
