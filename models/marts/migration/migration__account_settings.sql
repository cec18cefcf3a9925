-- The account-wide settings this build applied (one row), for the report and auditors: the
-- time zone session times were read in and why (the account's own, or the
-- default_account_timezone fallback), the currency and the default phone region.
select * from {{ ref('int_account__settings') }}
