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

custom_values as (
    select
        person_external_id,
        max(raw_value) filter (where twenty_field_name = 'school') as school,
        max(option_value) filter (where twenty_field_name = 'grade') as grade,
        max(raw_value) filter (where twenty_field_name = 'parentName') as parent_name,
        max(date_value) filter (where twenty_field_name = 'dateOfBirth') as date_of_birth,
        max(number_value) filter (where twenty_field_name = 'hoursPurchased')
            as hours_purchased,
        bool_or(boolean_value) filter (where twenty_field_name = 'photoConsent')
            as photo_consent,
        max(option_value) filter (where twenty_field_name = 'referralSource')
            as referral_source,
        max(raw_value) filter (where twenty_field_name = 'learningGoals') as learning_goals
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
        people.meeting_url as "meetingUrl",
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
        custom_values.school as "school",
        custom_values.grade as "grade",
        custom_values.parent_name as "parentName",
        custom_values.date_of_birth as "dateOfBirth",
        custom_values.hours_purchased as "hoursPurchased",
        custom_values.photo_consent as "photoConsent",
        custom_values.referral_source as "referralSource",
        custom_values.learning_goals as "learningGoals"
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
        'bizstimPractitionerId', 'bizstimStaffId', 'bizstimUserId', 'school', 'grade',
        'parentName', 'dateOfBirth', 'hoursPurchased', 'photoConsent', 'referralSource',
        'learningGoals'
    ]) }} as row_hash
from shaped
