-- One row per person: the attributes of their source records merged. Name, address and
-- phones' country come from the record with the highest precedence (practitioner, staff,
-- client; then lowest id); role-specific fields come from the record of that role.
with identity as (
    select * from {{ ref('int_people__identity') }}
),

records as (
    select
        identity.person_external_id,
        identity.kind_rank,
        source_records.*
    from identity
    inner join {{ ref('int_people__source_records') }} as source_records
        on identity.source_record_key = source_records.source_record_key
)

select
    person_external_id,
    first(first_name order by kind_rank, source_id) as first_name,
    first(last_name order by kind_rank, source_id) as last_name,
    first(address1 order by kind_rank, source_id) as address1,
    first(address2 order by kind_rank, source_id) as address2,
    first(city order by kind_rank, source_id) as city,
    first(state order by kind_rank, source_id) as state,
    first(zipcode order by kind_rank, source_id) as zipcode,
    first(country order by kind_rank, source_id) as country,
    list_sort(list(distinct upper(source_kind))) as roles,
    first(status order by kind_rank, source_id) as status,
    min(users_id) as users_id,
    min(source_id) filter (where source_kind = 'client') as client_id,
    min(source_id) filter (where source_kind = 'practitioner') as practitioner_id,
    min(source_id) filter (where source_kind = 'staff') as staff_id,
    first(wage_tier order by kind_rank, source_id) as wage_tier,
    first(add_value order by kind_rank, source_id) as add_value,
    first(hire_date order by kind_rank, source_id) as hire_date,
    first(start_date order by kind_rank, source_id) as start_date,
    first(timezone order by kind_rank, source_id) as timezone,
    first(meeting_url order by kind_rank, source_id) as meeting_url,
    first(min_time order by kind_rank, source_id) as min_time,
    first(max_time order by kind_rank, source_id) as max_time,
    first(slot_duration order by kind_rank, source_id) as slot_duration,
    first(session_limit order by kind_rank, source_id) as session_limit,
    first(service_ids order by kind_rank, source_id) as service_ids,
    first(notes order by kind_rank, source_id) as notes
from records
group by person_external_id
