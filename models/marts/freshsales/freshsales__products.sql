-- Freshsales CPQ Product: one per migrated Bizstim service, its cost as product_pricings and
-- its group as the dropdown custom field "Service group". See int_freshsales__products.
with shaped as (
    select
        service_external_id as external_id,
        product_name as name,  -- noqa: RF04
        description,
        is_active,
        product_pricings,
        service_group as cf_service_group,
        pricing_model as cf_pricing_model,
        package_sessions as cf_package_sessions,
        online_booking as cf_online_booking,
        taxable as cf_taxable,
        min_duration as cf_min_duration,
        max_duration as cf_max_duration,
        start_interval as cf_start_interval,
        default_wage as cf_default_wage
    from {{ ref('int_freshsales__products') }}
    where quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'name', 'description', 'is_active', 'product_pricings', 'cf_service_group',
        'cf_pricing_model', 'cf_package_sessions', 'cf_online_booking', 'cf_taxable',
        'cf_min_duration', 'cf_max_duration', 'cf_start_interval', 'cf_default_wage'
    ]) }} as row_hash
from shaped
