-- Every address typed into a person's records, one row each: the comma lists are split,
-- trimmed and lower-cased, and each token is checked against a practical address shape
-- (local@domain.tld, no spaces, one @). `position` orders a person's addresses: records in
-- person precedence (practitioner, staff, client; then source id), tokens left to right.
with identity as (
    select * from {{ ref('int_people__identity') }}
),

records as (
    select
        source_record_key,
        email
    from {{ ref('int_people__source_records') }}
    where email is not null
),

tokens as (
    select
        identity.person_external_id,
        identity.source_record_key,
        identity.kind_rank,
        identity.source_id,
        token.raw_token,
        token.token_position
    from identity
    inner join records on identity.source_record_key = records.source_record_key,
        unnest(string_split(records.email, ','))
        with ordinality as token (raw_token, token_position)
),

cleaned as (
    select
        person_external_id,
        source_record_key,
        kind_rank,
        source_id,
        token_position,
        trim(raw_token) as raw_token,
        lower(trim(raw_token)) as email
    from tokens
    where trim(raw_token) <> ''
)

select
    person_external_id,
    source_record_key,
    raw_token,
    email,
    {{ is_email_address('email') }} as is_valid,
    row_number() over (
        partition by person_external_id
        order by kind_rank, source_id, token_position
    ) as position
from cleaned
