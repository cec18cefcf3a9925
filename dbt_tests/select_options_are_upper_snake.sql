-- Twenty SELECT option values must be UPPER_SNAKE_CASE, 1-63 characters, unique per field.
select
    object_name,
    field_name,
    "value",
    count(*) as occurrences
from {{ ref('migration__select_options') }}
group by object_name, field_name, "value"
having count(*) > 1 or not regexp_full_match("value", '[A-Z][A-Z0-9]*(_[A-Z0-9]+)*')
    or length("value") > 63
