-- Salesforce Account: one household per client routed to Contact (`household:client:<id>`,
-- named by household_name_format) and one practice-team Account (`business:team`, named
-- business_account_name) holding every practitioner and staff Contact, when there is one.
-- See int_salesforce__people for the rules and models/README.md ("Salesforce").
with people as (
    select * from {{ ref('int_salesforce__people') }}
    where quarantine_rule is null and salesforce_object = 'Contact'
),

settings as (
    select * from {{ ref('int_salesforce__settings') }}
),

shaped as (
    select
        account_external_id as external_id,
        account_name as "Name",
        'Household of Bizstim client ' || client_id || '.' as "Description",
        'Household' as "Bizstim_Account_Type__c"
    from people
    where is_client

    union all

    select
        'business:team' as external_id,
        settings.business_account_name as "Name",
        'The practitioners and staff migrated from Bizstim.' as "Description",
        'Practice team' as "Bizstim_Account_Type__c"
    from settings
    where exists (
            select 1 from people
            where not people.is_client
        )
)

select
    *,
    {{ row_hash(['Name', 'Description', 'Bizstim_Account_Type__c']) }} as row_hash
from shaped
