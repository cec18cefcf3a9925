-- The Freshsales side of migration__quarantine (same columns): every row
-- int_freshsales__dispositions quarantines (impact record_not_migrated), and every invalid
-- e-mail a migrated Contact carries only as typed in "Bizstim values kept as typed" (impact
-- value_kept_raw; only names are length-checked on this side, and they quarantine).
{{ destination_quarantine(
    dispositions='int_freshsales__dispositions',
    people='int_freshsales__people',
    person_object='contact',
    kept_in='Contact field "Bizstim values kept as typed"',
    too_long_rule='freshsales_field_too_long_kept_raw',
) }}
