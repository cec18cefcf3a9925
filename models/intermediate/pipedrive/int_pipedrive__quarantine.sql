-- The Pipedrive side of migration__quarantine (same columns): every row
-- int_pipedrive__dispositions quarantines (impact record_not_migrated), and every value a
-- migrated Person carries only as typed in "Bizstim values kept as typed" (impact
-- value_kept_raw: an invalid e-mail, a value longer than its 255-character text field).
{{ destination_quarantine(
    dispositions='int_pipedrive__dispositions',
    people='int_pipedrive__people',
    person_object='person',
    kept_in='Person field "Bizstim values kept as typed"',
    too_long_rule='pipedrive_field_too_long_kept_raw',
) }}
