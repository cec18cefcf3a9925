-- The Pipedrive side of migration__quarantine (same columns): every row
-- int_pipedrive__dispositions quarantines (impact record_not_migrated), and every value a
-- migrated Person carries only as typed in "Bizstim values kept as typed" (impact
-- value_kept_raw: an invalid e-mail, a value longer than its 255-character text field).
with records as (
    select
        object_name,
        source_table,
        source_id,
        rule,
        reason,
        'record_not_migrated' as impact
    from {{ ref('int_pipedrive__dispositions') }}
    where disposition = 'quarantined'
),

kept_lines as (
    select
        person_external_id,
        unnest(string_split(values_kept_raw, chr(10))) as kept_line
    from {{ ref('int_pipedrive__people') }}
    where quarantine_rule is null and values_kept_raw is not null
)

select * from records
union all
select
    'person' as object_name,
    'people' as source_table,
    person_external_id as source_id,
    case
        when starts_with(kept_line, 'email: ') then 'email_invalid_kept_raw'
        else 'pipedrive_field_too_long_kept_raw'
    end as rule,
    person_external_id || ': ' || kept_line
    || '; kept as typed in the Person field "Bizstim values kept as typed".' as reason,
    'value_kept_raw' as impact
from kept_lines
