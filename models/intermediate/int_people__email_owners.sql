-- One OWNER per e-mail address. Two destinations keep a person's address unique (Twenty's
-- emails.primaryEmail across all people, Freshsales' contact e-mails among live contacts: a
-- second holder is refused "has already been taken"), but families often share one address.
-- The owner is:
--   1. the person for whom the address comes earliest in their own list (their first
--      address beats someone else's second one),
--   2. then practitioner before staff before client,
--   3. then the lowest Bizstim id (the record created first).
-- One row per person and valid address (addresses are lower-cased upstream, so 'A@x' and
-- 'a@x' are one address); what a destination does with the others is its own model's rule.
with addresses as (
    select * from {{ ref('int_people__email_addresses') }}
),

identity as (
    select
        person_external_id,
        min(kind_rank) as kind_rank,
        min(source_id) as source_id
    from {{ ref('int_people__identity') }}
    group by person_external_id
),

valid_addresses as (
    select
        person_external_id,
        email,
        min(position) as position
    from addresses
    where is_valid
    group by person_external_id, email
),

ranked as (
    select
        valid_addresses.person_external_id,
        valid_addresses.email,
        valid_addresses.position,
        row_number() over (
            partition by valid_addresses.email
            order by valid_addresses.position, identity.kind_rank, identity.source_id
        ) = 1 as is_owner
    from valid_addresses
    inner join identity on valid_addresses.person_external_id = identity.person_external_id
)

select * from ranked
