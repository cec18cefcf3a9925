-- The migrated services (int_services__catalog without excluded or quarantined ones) with the
-- labels of their codes (seeds/bizstim_code_labels.csv): pricing model, status and start
-- interval. Pipedrive's products and Salesforce's services each joined the same three labels;
-- Freshsales' products are the third.
with services as (
    select * from {{ ref('int_services__catalog') }}
    where exclusion_rule is null and quarantine_rule is null
),

labels as (
    select * from {{ ref('bizstim_code_labels') }}
    where source_table = 'services'
)

select
    services.*,
    pricing.label as pricing_label,
    status.label as status_label,
    intervals.label as start_interval_label
from services
left join labels as pricing
    on pricing.source_column = 'service_type' and services.pricing_model = pricing.option_value
left join labels as status
    on status.source_column = 'service_status' and services.service_status = status.option_value
left join labels as intervals
    on intervals.source_column = 'start_interval'
        and services.start_interval = intervals.option_value
