-- The account-wide settings the mapping applies, one row, each with where it came from:
--   time_zone  session dates/times are local to the account's default time zone
--              (bizstim-api.md §1). Read from raw_bizstim.account_timezone when the account
--              serves one that is a valid IANA name; else var default_account_timezone
--              (default UTC): the "Timezone" GET method is not documented, a docs-only
--              account serves none.
--   currency   var account_currency: Bizstim does not expose the account's currency.
--   phone region  var default_phone_region, for numbers of records without a known country.
with served as (
    select max(time_zone) as time_zone
    from {{ ref('stg_bizstim__account_timezone') }}
),

known_zones as (
    select "name" as time_zone from pg_timezone_names()
),

checked as (
    select
        served.time_zone as served_time_zone,
        served.time_zone in (select known_zones.time_zone from known_zones) as served_is_valid,
        '{{ var("default_account_timezone") }}' as default_time_zone,
        '{{ var("default_account_timezone") }}' in (select known_zones.time_zone from known_zones)
            as default_is_valid
    from served
)

select
    case when served_is_valid then served_time_zone else default_time_zone end as time_zone,
    case
        when served_is_valid then 'account'
        else 'var default_account_timezone'
    end as time_zone_source,
    served_time_zone,
    default_time_zone,
    coalesce(served_is_valid, false) or default_is_valid as is_time_zone_valid,
    case
        when served_is_valid
            then 'Session times are read in the account time zone ' || served_time_zone
                || ' (raw_bizstim.account_timezone).'
        when served_time_zone is not null
            then 'The account time zone "' || served_time_zone || '" is not an IANA time zone'
                || ' name, so session times are read in var default_account_timezone = '
                || default_time_zone || '. Set the var to the account''s zone if that is wrong.'
        else 'The account serves no time zone (raw_bizstim.account_timezone is absent or'
            || ' empty: its GET method is not in bizstim-api.md), so session times are read in'
            || ' var default_account_timezone = ' || default_time_zone || '. If the account runs'
            || ' in another zone, rebuild with --vars ''{default_account_timezone: <IANA name>}''.'
    end as time_zone_note,
    '{{ var("account_currency") }}' as currency_code,
    'var account_currency: Bizstim does not expose the account currency.' as currency_note,
    '{{ var("default_phone_region") }}' as default_phone_region
from checked
