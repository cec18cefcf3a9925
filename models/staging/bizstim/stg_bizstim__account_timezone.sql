-- The account's default time zone (one row); session times are local to it.
with source as (
    select * from {{ bizstim_source('account_timezone') }}
)

select
    {{ clean_text('time_zone') }} as time_zone,
    {{ clean_text('label') }} as label
from source
