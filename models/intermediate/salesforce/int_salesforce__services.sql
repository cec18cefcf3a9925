-- Bizstim services as Salesforce Product2 records and their Standard price book entries.
--   * Product2.Name = the service description (Text 255; longer quarantines the service:
--     salesforce_field_too_long). IsActive = service status Active.
--   * Family = the service group's name when service_group_target is Family (a picklist
--     value: two groups with one name share it; a name over 255 characters is left out and
--     kept in Bizstim_Values_Kept_Raw__c). With Bizstim_Service_Group__c the product looks up
--     its group record instead.
--   * UnitPrice (Currency, 2 decimals) = the cost. A service without a cost gets no price
--     book entry (excluded: service_without_price); a cost with more than 2 decimals is never
--     rounded: the entry is quarantined (price_more_than_two_decimals) and the exact cost stays
--     on the product (Bizstim_Service_Cost__c, 6 decimals).
--   * A cost or default wage that is not an amount is left empty and kept as typed.
with services as (
    select * from {{ ref('int_services__labelled') }}
),

service_groups as (
    select * from {{ ref('int_salesforce__service_groups') }}
),

shaped as (
    select
        services.service_external_id,
        services.service_id,
        services.group_id,
        coalesce(services.service_description, 'Service ' || services.service_id) as product_name,
        cast(services.service_id as varchar) as product_code,
        services.service_status = 'ACTIVE' as is_active,
        case
            when not service_groups.is_record
                then {{ salesforce_fit('service_groups.group_name', 255) }}
        end as product_family,
        case
            when service_groups.is_record and service_groups.quarantine_rule is null
                then service_groups.service_group_external_id
        end as service_group_external_id,
        cast(services.group_num as integer) as package_sessions,
        services.pricing_label as pricing_model,
        services.is_taxable,
        services.status_label as service_status,
        services.online_booking,
        cast(services.min_duration as integer) as min_duration,
        cast(services.max_duration as integer) as max_duration,
        services.start_interval_label as start_interval,
        cast(services.service_cost as decimal(18, 6)) as service_cost,
        cast(services.service_default_wage as decimal(18, 6)) as default_wage,
        case
            when services.service_cost = round(services.service_cost, 2)
                then cast(services.service_cost as decimal(18, 2))
        end as unit_price,
        case
            when services.service_cost is null then 'service_without_price'
            when services.service_cost <> round(services.service_cost, 2)
                then 'price_more_than_two_decimals'
        end as price_rule,
        service_groups.group_name,
        coalesce(service_groups.is_record, false) as group_is_record,
        services.service_cost_raw,
        services.service_default_wage_raw,
        services.service_default_wage as typed_default_wage
    from services
    left join
        service_groups
        on services.service_group_external_id = service_groups.service_group_external_id
),

noted as (
    select
        * exclude (group_name, group_is_record, service_cost_raw, service_default_wage_raw),
        list_filter([
            case
                when not group_is_record and {{ salesforce_too_long('group_name', 255) }}
                    then {
                            'source_field': 'group name',
                            'raw_value': group_name,
                            'reason': {{ salesforce_length('group_name') }}
                            || ' characters, more than the 255 of a Family value',
                            'rule': 'salesforce_field_too_long_kept_raw'
                        }
            end,
            {%- for raw_column, typed_column in [
                ('service_cost_raw', 'service_cost'),
                ('service_default_wage_raw', 'typed_default_wage'),
            ] %}
                case
                    when {{ typed_column }} is null and {{ raw_column }} is not null
                        then {
                                'source_field': '{{ raw_column[:-4] }}',
                                'raw_value': {{ raw_column }},
                                'reason': 'not an amount with at most 6 decimals',
                                'rule': 'value_not_typed_kept_raw'
                            }
                end{{ "," if not loop.last }}
            {%- endfor %}
        ], lambda note: note is not null) as kept_raw_notes
    from shaped
),

-- the notes' text apart: its lambda's references would make another select inconsistent
described as (
    select
        *,
        {{ kept_raw_text('kept_raw_notes') }} as values_kept_raw
    from noted
)

select
    * exclude (typed_default_wage),
    case
        when {{ salesforce_too_long('product_name', 255) }} then 'salesforce_field_too_long'
    end as quarantine_rule,
    case
        when {{ salesforce_too_long('product_name', 255) }}
            then 'Service ' || service_id || ': the name "' || product_name || '" has '
                || {{ salesforce_length('product_name') }}
                || ' characters, more than the 255 of Product2.Name; shorten it in Bizstim.'
    end as quarantine_reason,
    case
        when price_rule = 'price_more_than_two_decimals'
            then 'Service ' || service_id || ': the cost ' || service_cost
                || ' has more than 2 decimals, which a Standard price book UnitPrice cannot hold'
                || ' unrounded; the product keeps the exact cost in Bizstim_Service_Cost__c.'
                || ' Correct the cost in Bizstim to give it a price.'
    end as price_reason
from described
