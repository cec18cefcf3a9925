-- Twenty EMAILS per person. Twenty's emails.primaryEmail is unique across all people, but
-- families often share one address, so each valid address has exactly one OWNER
-- (int_people__email_owners: earliest in the person's own list, then practitioner before
-- staff before client, then the lowest Bizstim id).
-- A person's primaryEmail is the first address they own; every other valid address of theirs
-- (owned or not) is an additionalEmail. emailShared is TRUE for people who list an address
-- owned by someone else (they keep it only as an additional e-mail). Invalid tokens are kept
-- verbatim in rawEmails. No two people can get the same primaryEmail: each address has one owner.
with addresses as (
    select * from {{ ref('int_people__email_addresses') }}
),

ranked as (
    select * from {{ ref('int_people__email_owners') }}
),

primaries as (
    select
        person_external_id,
        arg_min(email, position) as primary_email
    from ranked
    where is_owner
    group by person_external_id
),

per_person as (
    select
        ranked.person_external_id,
        primaries.primary_email,
        coalesce(
            list(ranked.email order by ranked.position)
            filter (where ranked.email is distinct from primaries.primary_email),
            []
        ) as additional_emails,
        bool_or(not ranked.is_owner) as email_shared
    from ranked
    left join primaries on ranked.person_external_id = primaries.person_external_id
    group by ranked.person_external_id, primaries.primary_email
),

invalid as (
    select
        person_external_id,
        string_agg(raw_token, ', ' order by position) as raw_emails
    from addresses
    where not is_valid
    group by person_external_id
)

select
    coalesce(per_person.person_external_id, invalid.person_external_id) as person_external_id,
    per_person.primary_email,
    coalesce(per_person.additional_emails, []) as additional_emails,
    coalesce(per_person.email_shared, false) as email_shared,
    invalid.raw_emails
from per_person
full outer join invalid on per_person.person_external_id = invalid.person_external_id
