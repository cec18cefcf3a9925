-- The e-mail tokens of a person that are no valid address, one row per person, as the lines a
-- CRM destination keeps in its "values kept as typed" text ('email: <token> (not a valid e-mail
-- address)', distinct tokens in token order, one a line). A CRM e-mail field refuses them, and
-- dropping them would lose what the customer typed. Pipedrive (the tokens), Freshsales and
-- monday (the lines) each kept a copy of this block, so it lives here once.
with addresses as (
    select * from {{ ref('int_people__email_addresses') }}
),

distinct_tokens as (
    select distinct
        person_external_id,
        raw_token
    from addresses
    where not is_valid
)

select
    person_external_id,
    list(raw_token order by raw_token) as invalid_tokens,
    string_agg(
        'email: ' || raw_token || ' (not a valid e-mail address)', chr(10) order by raw_token
    ) as kept_raw_lines
from distinct_tokens
group by person_external_id
