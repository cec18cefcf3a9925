-- Twenty `tutoringServices` (custom object; `service` alone is too generic a name to claim).
with shaped as (
    select
        service_external_id as external_id,
        coalesce(service_description, 'Service ' || service_id) as "name",
        {
            'amountMicros': {{ to_micros('service_cost') }},
            'currencyCode': '{{ var("account_currency") }}'
        } as "serviceCost",
        {
            'amountMicros': {{ to_micros('service_default_wage') }},
            'currencyCode': '{{ var("account_currency") }}'
        } as "defaultWage",
        is_taxable as "isTaxable",
        pricing_model as "pricingModel",
        service_status as "serviceStatus",
        online_booking as "onlineBooking",
        cast(min_duration as integer) as "minDurationMinutes",
        cast(max_duration as integer) as "maxDurationMinutes",
        start_interval as "startInterval",
        cast(group_num as integer) as "packageSessions",
        service_id as "bizstimServiceId",
        service_group_external_id as "serviceGroup__external_id"
    from {{ ref('int_services__catalog') }}
    where exclusion_rule is null and quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'name', 'serviceCost', 'defaultWage', 'isTaxable', 'pricingModel', 'serviceStatus',
        'onlineBooking', 'minDurationMinutes', 'maxDurationMinutes', 'startInterval',
        'packageSessions', 'bizstimServiceId', 'serviceGroup__external_id'
    ]) }} as row_hash
from shaped
