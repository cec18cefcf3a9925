-- Bizstim services as Pipedrive products (int_services__catalog).
--   * name = the service description, else 'Service <id>' (Pipedrive refuses an empty name;
--     longer than 255 characters quarantines the service: pipedrive_field_too_long).
--   * code = the Bizstim service id (what a person's "Assigned services" lists).
--   * prices = one {currency, price} for default_currency (the catalog has one cost and no
--     currency); a service without a cost gets no price (Pipedrive then shows 0) and a zero
--     cost is sent as 0: both are flagged by service_status/pricing fields, never invented.
--   * unit = 'hour' for hourly pricing, 'session' for a fixed price.
--   * service group: the enum custom field "Service group" holds the group's name
--     (Pipedrive's built-in category takes option ids the API may not create).
with services as (
    select * from {{ ref('int_services__labelled') }}
),

settings as (
    select * from {{ ref('int_pipedrive__settings') }}
),

shaped as (
    select
        services.service_external_id,
        services.service_id,
        coalesce(nullif(trim(services.service_description), ''), 'Service ' || services.service_id)
            as product_name,
        cast(services.service_id as varchar) as code,
        case services.pricing_model when 'HOURLY' then 'hour' when 'FIXED' then 'session' end
            as unit,
        case
            when services.service_cost is not null
                then cast(to_json([{
                        'currency': settings.default_currency,
                        'price': cast(services.service_cost as double)
                    }]) as varchar)
        end as prices,
        services.group_name as service_group,
        services.pricing_label as pricing_model,
        services.status_label as service_status,
        cast(services.group_num as double) as package_sessions,
        case when services.online_booking then 'Yes' when not services.online_booking then 'No' end
            as online_booking,
        case when services.is_taxable then 'Yes' when not services.is_taxable then 'No' end
            as taxable,
        cast(services.min_duration as double) as min_duration,
        cast(services.max_duration as double) as max_duration,
        services.start_interval_label as start_interval,
        cast(services.service_default_wage as double) as default_wage
    from services
    cross join settings
)

select
    *,
    case when length(product_name) > 255 then 'pipedrive_field_too_long' end as quarantine_rule,
    case
        when length(product_name) > 255
            then 'Service ' || service_id || ': the name "' || product_name || '" has '
                || length(product_name) || ' characters, more than the 255 of a Pipedrive'
                || ' product name; shorten it in Bizstim.'
    end as quarantine_reason
from shaped
