-- Bizstim services as Freshsales CPQ products (int_services__labelled).
--   * name = the service description, else 'Service <id>' (a product needs a name; longer
--     than 255 characters quarantines the service: freshsales_field_too_long, never cut).
--   * description = 'Bizstim service <id>' and its pricing model: the CPQ product has no code
--     field, so the id stays readable there (and in cf_bizstim_id's 'service:<id>').
--   * is_active = service status Active.
--   * product_pricings = one {currency_code, unit_price} for default_currency (the catalog has
--     one cost and no currency); a service without a cost gets none, never an invented 0.
--   * service group: the dropdown custom field "Service group" holds the group's name
--     (Freshsales has no product category endpoint: destinations-2.md §3.1).
with services as (
    select * from {{ ref('int_services__labelled') }}
),

settings as (
    select * from {{ ref('int_freshsales__settings') }}
),

shaped as (
    select
        services.service_external_id,
        services.service_id,
        coalesce(nullif(trim(services.service_description), ''), 'Service ' || services.service_id)
            as product_name,
        'Bizstim service ' || services.service_id
        || coalesce(' · ' || services.pricing_label, '') as description,
        services.service_status = 'ACTIVE' as is_active,
        case
            when services.service_cost is not null
                then cast(to_json([{
                        'currency_code': settings.default_currency,
                        'unit_price': cast(services.service_cost as double)
                    }]) as varchar)
        end as product_pricings,
        services.group_name as service_group,
        services.pricing_label as pricing_model,
        cast(services.group_num as double) as package_sessions,
        services.online_booking,
        services.is_taxable as taxable,
        cast(services.min_duration as double) as min_duration,
        cast(services.max_duration as double) as max_duration,
        services.start_interval_label as start_interval,
        cast(services.service_default_wage as double) as default_wage
    from services
    cross join settings
)

select
    *,
    case when length(product_name) > 255 then 'freshsales_field_too_long' end as quarantine_rule,
    case
        when length(product_name) > 255
            then 'Service ' || service_id || ': the name "' || product_name || '" has '
                || length(product_name) || ' characters, more than the 255 of a Freshsales'
                || ' product name; shorten it in Bizstim.'
    end as quarantine_reason
from shaped
