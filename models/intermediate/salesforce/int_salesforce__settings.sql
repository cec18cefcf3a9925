-- The switches of seeds/salesforce_settings.csv as one row (a model reads a column instead of
-- filtering the seed by key). The seed's tests keep the switch values to the known ones and
-- require every setting, so each column here is set.
select
    max(setting_value) filter (where setting = 'payments_object') as payments_object,
    max(setting_value) filter (where setting = 'service_group_target') as service_group_target,
    max(setting_value) filter (where setting = 'household_name_format')
        as household_name_format,
    max(setting_value) filter (where setting = 'lead_company_format') as lead_company_format,
    max(setting_value) filter (where setting = 'business_account_name')
        as business_account_name,
    max(setting_value) filter (where setting = 'opportunity_stage_name')
        as opportunity_stage_name
from {{ ref('salesforce_settings') }}
