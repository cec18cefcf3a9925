-- Salesforce PricebookEntry in the Standard price book (the loader sets Pricebook2Id to the
-- org's standard book: a custom price book entry needs it first, STANDARD_PRICE_NOT_DEFINED).
-- One per product with a cost that UnitPrice (2 decimals) holds exactly; see
-- int_salesforce__services for the services that get none.
with shaped as (
    select
        'pricebook_entry:' || service_external_id as external_id,
        unit_price as "UnitPrice",
        is_active as "IsActive",
        false as "UseStandardPrice",
        service_external_id as "Product2__external_id"
    from {{ ref('int_salesforce__services') }}
    where quarantine_rule is null and price_rule is null
)

select
    *,
    {{ row_hash(['UnitPrice', 'IsActive', 'UseStandardPrice', 'Product2__external_id']) }}
        as row_hash
from shaped
