{#- The first status or dropdown value of a monday item that is not one of its column's labels in
    seeds/monday_columns.csv, as 'column "value"', else NULL. monday refuses a label the board
    does not have (ColumnValueException, and an ingest row counted invalid), and the loader never
    sends create_labels_if_missing: a Bizstim code the seed does not know (a code added to
    Bizstim after the mapping was written) would otherwise fail at load, one refused row per
    call. The intermediates quarantine such an item in dbt (monday_label_unknown) instead.
    relation: the CTE holding the item; board_sql: an SQL expression naming the board (a
    literal, or a column such as int_monday__people's `board`, qualified by the CTE);
    columns: the item's status/dropdown columns. A column the
    seed does not declare for that board is not checked (a client has no wage tier column).
    Dropdown values are labels joined by ', ', each checked. -#}
{% macro monday_unknown_label(relation, board_sql, columns) -%}
    case
    {%- for column in columns %}
        {%- set value = relation ~ '.' ~ column %}
        when {{ value }} is not null and exists (
            select 1
            from {{ ref('monday_columns') }} as seed
            where seed.board = {{ board_sql }}
                and seed.column_id = '{{ column }}'
                and seed.column_type in ('status', 'dropdown')
                and not list_has_all(
                    string_split(seed.labels, '|'),
                    case
                        when seed.column_type = 'dropdown'
                            then string_split({{ value }}, ', ')
                        else [{{ value }}]
                    end
                )
        ) then '{{ column }} "' || {{ value }} || '"'
    {%- endfor %}
    end
{%- endmacro %}


{#- The reason a monday_label_unknown item is quarantined, for the owner of the mapping. -#}
{% macro monday_unknown_label_reason(record_sql, unknown_sql, board_sql) -%}
    {{ record_sql }} || ': ' || {{ unknown_sql }} || ' is not a label of the monday '
    || {{ board_sql }} || ' board (seeds/monday_columns.csv), and monday refuses a label the'
    || ' board lacks; add the label to the seed, or correct the value in Bizstim.'
{%- endmacro %}
