-- Locations with their disposition; same named rule as services for deleted ones:
-- kept (locationStatus DELETED) when a migrated session happened there, else excluded.
with locations as (
    select * from {{ ref('stg_bizstim__locations') }}
),

referenced as (
    select distinct location_id
    from {{ ref('stg_bizstim__sessions') }}
    where is_in_current_snapshot and location_id is not null
),

countries as (
    select distinct on (spelling) * from {{ ref('country_codes') }}
)

select
    'location:' || locations.location_id as location_external_id,
    locations.*,
    coalesce(countries.iso2, '{{ var("default_phone_region") }}') as phone_region,
    coalesce(countries.country_name, locations.country) as country_name,
    parse_phone(locations.p_phone, coalesce(countries.iso2, '{{ var("default_phone_region") }}'))
        as parsed_p_phone,
    parse_phone(locations.s_phone, coalesce(countries.iso2, '{{ var("default_phone_region") }}'))
        as parsed_s_phone,
    case
        when not locations.is_in_current_snapshot then 'not_in_current_snapshot'
        {{ pilot_exclusion('location', 'locations.location_id') }}
        when locations.location_status = 'DELETED' and referenced.location_id is null
            then 'deleted_location_unused'
    end as exclusion_rule,
    case
        when locations.is_in_current_snapshot and locations.location_status is null
            then 'unknown_location_status'
    end as quarantine_rule,
    case
        when locations.is_in_current_snapshot and locations.location_status is null
            then 'Location ' || locations.location_id || ' has location_status "'
                || coalesce(locations.location_status_code, '')
                || '", which is not 0/1/2: add the code to seeds/bizstim_code_labels.csv.'
    end as quarantine_reason
from locations
left join referenced on locations.location_id = referenced.location_id
left join countries on lower(locations.country) = countries.spelling
