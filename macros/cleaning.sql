{#- Raw Bizstim values are strings with "" for empty: trim, and turn blanks into NULL. -#}
{% macro clean_text(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}


{#- Integer or NULL (blank or not a whole number). -#}
{% macro to_integer(expression) -%}
    try_cast(nullif(trim({{ expression }}), '') as bigint)
{%- endmacro %}


{#- YYYY-MM-DD or NULL; MySQL's "0000-00-00" and other impossible dates become NULL. -#}
{% macro to_date(expression) -%}
    try_strptime(nullif(trim({{ expression }}), ''), '%Y-%m-%d')::date
{%- endmacro %}


{#- Money → DECIMAL(38, 6), exactly as the source wrote it: a plain decimal ("-5.00", "12.345",
    "1052") that fits DECIMAL(18, 6): at most 6 significant decimals and 12 integer digits.
    That is the money every destination can hold unrounded (Twenty's BIGINT amountMicros ends
    at ±9.2e12; Salesforce currency fields at 18 digits).
    NULL when blank, not a plain decimal ("$1,250.00", "1e3"), out of that range or more
    precise (callers tell those apart with money_decimals: such a value is never rounded).
    Bizstim documents "2 decimals", but its API serves strings and nothing enforces that. -#}
{% macro to_money(expression) -%}
    case
        when {{ money_decimals(expression) }} <= 6
            then try_cast(try_cast(trim({{ expression }}) as decimal(18, 6)) as decimal(38, 6))
    end
{%- endmacro %}


{#- Significant decimals of a plain decimal string (trailing zeros do not count: "12.3400" has
    2), NULL when it is not a plain decimal. -#}
{% macro money_decimals(expression) -%}
    case
        when regexp_full_match(trim({{ expression }}), '[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)')
            then length(rtrim(split_part(trim({{ expression }}), '.', 2), '0'))
    end
{%- endmacro %}


{#- DECIMAL money → Twenty amountMicros (BIGINT), exact for every value to_money returns. -#}
{% macro to_micros(expression) -%}
    try_cast({{ expression }} * 1000000 as bigint)
{%- endmacro %}


{#- "0"/"1" flags → BOOLEAN (anything else NULL). -#}
{% macro to_flag(expression) -%}
    case trim({{ expression }}) when '1' then true when '0' then false end
{%- endmacro %}


{#- "HH:MM" (00:00 … 24:00) → minutes after midnight (0 … 1440), NULL when malformed. -#}
{% macro hhmm_to_minutes(expression) -%}
    case
        when regexp_full_match(trim({{ expression }}), '([01][0-9]|2[0-3]):[0-5][0-9]|24:00')
            then cast(split_part(trim({{ expression }}), ':', 1) as integer) * 60
            + cast(split_part(trim({{ expression }}), ':', 2) as integer)
    end
{%- endmacro %}


{#- Comma-separated id list → BIGINT[] (blank items dropped; non-numeric items become NULL
    elements so callers can detect them). -#}
{% macro split_id_list(expression) -%}
    list_transform(
        list_filter(string_split(coalesce({{ expression }}, ''), ','), lambda item: trim(item) <> ''),
        lambda item: try_cast(trim(item) as bigint)
    )
{%- endmacro %}


{#- Option value (UPPER_SNAKE_CASE) of a Bizstim code, from the bizstim_code_labels seed. -#}
{% macro decode_code(source_table, source_column, expression) -%}
    (
        select code_labels.option_value
        from {{ ref('bizstim_code_labels') }} as code_labels
        where code_labels.source_table = '{{ source_table }}'
            and code_labels.source_column = '{{ source_column }}'
            and code_labels.code = trim({{ expression }})
    )
{%- endmacro %}


{#- A label → Twenty SELECT option value: UPPER_SNAKE_CASE, ASCII, starting with a letter
    (labels starting with a digit get `prefix_sql` — an SQL expression — and "_" in front). -#}
{% macro to_option_value(expression, prefix_sql) -%}
    (
        case
            when regexp_matches(strip_accents({{ expression }}), '^[^A-Za-z]*[0-9]')
                then ({{ prefix_sql }}) || '_'
            else ''
        end
        || trim(
            regexp_replace(upper(strip_accents({{ expression }})), '[^A-Z0-9]+', '_', 'g'), '_'
        )
    )
{%- endmacro %}


{#- camelCase field name → UPPER_SNAKE prefix for option values that start with a digit
    (grade + "10" → GRADE_10). -#}
{% macro option_prefix(field_name_expression) -%}
    upper(regexp_replace({{ field_name_expression }}, '([a-z])([A-Z])', '\\1_\\2', 'g'))
{%- endmacro %}


{#- The one e-mail rule of the project: one @, no spaces, an allowed local part, a dotted domain
    whose labels do not start or end with "-", a 2+ letter TLD, lower case, no "..". The
    address split (int_people__email_addresses), the owner match (int_users__owners) and the
    valid_email test all use it, so what the mapping keeps is what the test accepts. -#}
{% macro is_email_address(expression) -%}
    (
        regexp_full_match(
            {{ expression }},
            '[a-z0-9!#$%&''*+/=?^_`{|}~.-]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}'  -- noqa: LT05
        )
        and not contains({{ expression }}, '..')
    )
{%- endmacro %}
