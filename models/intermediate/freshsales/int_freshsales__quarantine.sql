-- The Freshsales side of migration__quarantine (same columns): every row
-- int_freshsales__dispositions quarantines (impact record_not_migrated), and every invalid
-- e-mail a migrated Contact carries only as typed in "Bizstim values kept as typed" (impact
-- value_kept_raw).
with records as (
    select
        object_name,
        source_table,
        source_id,
        rule,
        reason,
        'record_not_migrated' as impact
    from {{ ref('int_freshsales__dispositions') }}
    where disposition = 'quarantined'
),

kept_lines as (
    select
        person_external_id,
        unnest(string_split(values_kept_raw, chr(10))) as kept_line
    from {{ ref('int_freshsales__people') }}
    where quarantine_rule is null and values_kept_raw is not null
)

select * from records
union all
select
    'contact' as object_name,
    'people' as source_table,
    person_external_id as source_id,
    'email_invalid_kept_raw' as rule,
    person_external_id || ': ' || kept_line
    || '; kept as typed in the Contact field "Bizstim values kept as typed".' as reason,
    'value_kept_raw' as impact
from kept_lines
