-- Bizstim services as items of the monday Services board (int_services__labelled), each in the
-- group of its service group: monday's only hierarchy inside a board is groups, and items need
-- their group at creation (destinations-2.md §4.1: groups before items).
--   * item name = the service description, else 'Service <id>'; longer than monday's 255
--     characters quarantines the service (monday_name_too_long), never cut.
--   * group_title = the service group's name, else 'Ungrouped services'.
--   * a pricing, status or start interval that is not a seed label quarantines the service
--     (monday_label_unknown, macros/monday.sql).
with services as (
    select * from {{ ref('int_services__labelled') }}
),

shaped as (
    select
        service_external_id,
        service_id,
        coalesce(nullif(trim(service_description), ''), 'Service ' || service_id) as item_name,
        coalesce(nullif(trim(group_name), ''), 'Ungrouped services') as group_title,
        concat_ws(
            chr(10), 'Bizstim service ' || service_id, 'Pricing: ' || pricing_label,
            'Sessions in a package: ' || group_num
        ) as description,
        service_cost as price,
        service_default_wage as default_wage,
        pricing_label as pricing,
        status_label as status,
        coalesce(online_booking, false) as online_booking,
        coalesce(is_taxable, false) as taxable,
        min_duration,
        max_duration,
        start_interval_label as start_interval
    from services
),

checked as (
    select
        *,
        {{ monday_unknown_label('shaped', "'services'", ['pricing', 'status', 'start_interval']) }}
            as unknown_label
    from shaped
)

select
    * exclude (unknown_label),
    case
        when length(item_name) > 255 then 'monday_name_too_long'
        when unknown_label is not null then 'monday_label_unknown'
    end as quarantine_rule,
    case
        when length(item_name) > 255
            then 'Service ' || service_id || ': the name "' || left(item_name, 60) || '..." has '
                || length(item_name) || ' characters, more than the 255 of a monday item name;'
                || ' shorten it in Bizstim.'
        when unknown_label is not null
            then {{ monday_unknown_label_reason(
                "'Service ' || service_id", 'unknown_label', "'Services'"
            ) }}
    end as quarantine_reason
from checked
