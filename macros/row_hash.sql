{#- md5 over the JSON of the given columns (payload + foreign external ids): the loader
    compares it with the hash it last sent to decide whether a record changed. -#}
{% macro row_hash(columns) -%}
    md5(to_json(struct_pack(
        {%- for column in columns %}
        "{{ column }}" := "{{ column }}"{{ "," if not loop.last }}
        {%- endfor %}
    )))
{%- endmacro %}
