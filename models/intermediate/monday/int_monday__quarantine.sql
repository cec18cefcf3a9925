-- The monday side of migration__quarantine (same columns): every row int_monday__dispositions
-- quarantines (impact record_not_migrated), and every invalid e-mail a migrated person carries
-- only as typed in the "Bizstim values kept as typed" column (impact value_kept_raw).
{{ destination_quarantine(
    dispositions='int_monday__dispositions',
    people='int_monday__people',
    person_object='contact',
    kept_in='item column "Bizstim values kept as typed"',
    too_long_rule='monday_value_kept_raw',
) }}
