{#- Length of a text the way Salesforce counts it against a field's length: UTF-16 code units
    (Salesforce strings are Java strings), so a character outside the Basic Multilingual Plane
    (an emoji) counts 2. DuckDB's length() counts code points; the characters above U+FFFF are
    counted once more. -#}
{% macro salesforce_length(expression) -%}
    (
        length({{ expression }})
        + length(regexp_replace({{ expression }}, '[^\x{10000}-\x{10FFFF}]', '', 'g'))
    )
{%- endmacro %}


{#- TRUE when a text is longer than a field of max_length (an SQL expression) holds, in
    Salesforce's units. Cheap for nearly every value: more code points than max_length is too
    long, at most half as many fits; only the values between count their UTF-16 units. -#}
{% macro salesforce_too_long(expression, max_length) -%}
    (
        length({{ expression }}) > {{ max_length }}
        or (
            length({{ expression }}) * 2 > {{ max_length }}
            and {{ salesforce_length(expression) }} > {{ max_length }}
        )
    )
{%- endmacro %}


{#- The value when it fits a field of max_length, else NULL: never truncated. Callers keep the
    full value elsewhere (salesforce_too_long_notes) or quarantine the record. -#}
{% macro salesforce_fit(expression, max_length) -%}
    case
        when not {{ salesforce_too_long(expression, max_length) }} then {{ expression }}
    end
{%- endmacro %}


{#- A list of kept-raw notes, one per (field, value expression, max length) whose value is too
    long for the field: STRUCT(source_field, raw_value, reason, rule) as the other notes. The
    list is only built for the rare row with such a value (a million sessions would otherwise
    each allocate one to filter it empty). -#}
{% macro salesforce_too_long_notes(fields) -%}
    case
        when
            {%- for field_name, expression, max_length in fields %}
                {{ "or " if not loop.first }}{{ salesforce_too_long(expression, max_length) }}
            {%- endfor %}
            then list_filter(
                [
                    {%- for field_name, expression, max_length in fields %}
                        case
                            when {{ salesforce_too_long(expression, max_length) }}
                                then {
                                    'source_field': '{{ field_name }}',
                                    'raw_value': {{ expression }},
                                    'reason': {{ salesforce_length(expression) }}
                                    || ' characters, more than the {{ max_length }} its'
                                    || ' Salesforce field holds',
                                    'rule': 'salesforce_field_too_long_kept_raw'
                                }
                        end{{ "," if not loop.last }}
                    {%- endfor %}
                ],
                lambda note: note is not null
            )
        else cast([] as struct(source_field varchar, raw_value varchar, reason varchar, rule varchar)[])
    end
{%- endmacro %}


{#- A name template of seeds/salesforce_settings.csv filled for one person: {first_name},
    {last_name} and {full_name} replaced, blanks trimmed. -#}
{% macro fill_name_template(template, first_name, last_name) -%}
    trim(
        replace(
            replace(
                replace({{ template }}, '{full_name}', concat_ws(' ', {{ first_name }}, {{ last_name }})),
                '{first_name}', coalesce({{ first_name }}, '')
            ),
            '{last_name}', coalesce({{ last_name }}, '')
        )
    )
{%- endmacro %}


{#- Plain text as ContentNote.Content takes it: special characters HTML-escaped (the API
    requires it of plain text) and each line break as <br> (bare line breaks are dropped). -#}
{% macro content_note_body(expression) -%}
    replace(
        replace(
            replace(
                replace(
                    replace(
                        replace(replace({{ expression }}, '&', '&amp;'), '<', '&lt;'),
                        '>', '&gt;'
                    ),
                    '"', '&quot;'
                ),
                '''', '&#39;'
            ),
            chr(13) || chr(10), '<br>'
        ),
        chr(10), '<br>'
    )
{%- endmacro %}


{#- The kept-raw notes of a record (a list of STRUCT(source_field, raw_value, reason, rule)) as
    the text of its Bizstim_Values_Kept_Raw__c: one '<field>: <value> (<reason>)' line each,
    NULL when there are none. -#}
{% macro kept_raw_text(notes) -%}
    nullif(
        array_to_string(
            list_transform(
                {{ notes }},
                lambda note: note.source_field || ': ' || note.raw_value || ' (' || note.reason || ')'
            ),
            chr(10)
        ),
        ''
    )
{%- endmacro %}


{#- Bizstim roles (['PRACTITIONER', 'STAFF']) as a multi-select picklist value
    ('Practitioner;Staff'). -#}
{% macro salesforce_roles(roles) -%}
    array_to_string(list_transform({{ roles }}, lambda role: upper(role[1]) || lower(role[2:])), ';')
{%- endmacro %}
