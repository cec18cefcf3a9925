-- No two Freshsales contacts carry one address: Freshsales refuses a contact whose e-mail
-- another live contact holds ("emails: has already been taken"), and a refused contact takes
-- its deals, appointments and notes into quarantine with it (66 contacts and 1 113 children in
-- the 20 113-record benchmark of stop 27). Compared case-insensitively over every address in
-- `emails`, as the stand-in does. int_freshsales__people gives each address one owner.
with addresses as (
    select
        contacts.external_id,
        lower(json_extract_string(address.value, '$.value')) as email
    from {{ ref('freshsales__contacts') }} as contacts,
        json_each(contacts.emails) as address
    where contacts.emails is not null
)

select
    email,
    count(distinct external_id) as contacts
from addresses
group by email
having count(distinct external_id) > 1
