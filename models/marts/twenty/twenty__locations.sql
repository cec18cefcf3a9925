-- Twenty `serviceLocations` (custom object): where sessions happen.
with locations as (
    select * from {{ ref('int_locations__catalog') }}
    where exclusion_rule is null and quarantine_rule is null
),

shaped as (
    select
        locations.location_external_id as external_id,
        coalesce(locations.location_name, 'Location ' || locations.location_id) as "name",
        {
            'addressStreet1': locations.address,
            'addressStreet2': cast(null as varchar),
            'addressCity': locations.city,
            'addressState': locations.state,
            'addressPostcode': locations.zipcode,
            'addressCountry': locations.country_name
        } as "locationAddress",
        {
            'primaryPhoneNumber': coalesce(
                case when parsed_p_phone.is_valid then parsed_p_phone.national_number end,
                case when parsed_s_phone.is_valid then parsed_s_phone.national_number end
            ),
            'primaryPhoneCountryCode': coalesce(
                case when parsed_p_phone.is_valid then parsed_p_phone.country_code end,
                case when parsed_s_phone.is_valid then parsed_s_phone.country_code end
            ),
            'primaryPhoneCallingCode': coalesce(
                case when parsed_p_phone.is_valid then parsed_p_phone.calling_code end,
                case when parsed_s_phone.is_valid then parsed_s_phone.calling_code end
            ),
            'additionalPhones': case
                when parsed_p_phone.is_valid and parsed_s_phone.is_valid
                    and parsed_p_phone.e164 <> parsed_s_phone.e164
                    then [{
                            'number': parsed_s_phone.national_number,
                            'countryCode': parsed_s_phone.country_code,
                            'callingCode': parsed_s_phone.calling_code
                        }]
                else cast(
                        [] as struct(
                            "number" varchar, "countryCode" varchar, "callingCode" varchar
                        )[]
                    )
            end
        } as "locationPhones",
        {
            'primaryEmail': locations.email,
            'additionalEmails': cast([] as varchar[])
        } as "locationEmails",
        nullif(concat_ws(
            '; ',
            'p_phone: ' || locations.p_phone
            || ' (' || parsed_p_phone.kept_raw_reason || ')',
            's_phone: ' || locations.s_phone
            || ' (' || parsed_s_phone.kept_raw_reason || ')'
        ), '') as "rawPhones",
        locations.location_status as "locationStatus",
        locations.online_booking as "onlineBooking",
        cast(locations.practitioner_ids as varchar[]) as "bookablePractitionerIds",
        locations.location_id as "bizstimLocationId"
    from locations
)

select
    *,
    {{ row_hash([
        'name', 'locationAddress', 'locationPhones', 'locationEmails', 'rawPhones',
        'locationStatus', 'onlineBooking', 'bookablePractitionerIds', 'bizstimLocationId'
    ]) }} as row_hash
from shaped
