{#- Link URLs as real Twenty stores them (twenty-real-rules.md rule 3, Twenty's
    lowercaseUrlOriginAndRemoveTrailingSlash): an absolute http(s) URL gets its scheme and host
    lower-cased and one trailing slash removed, so https://Acme.COM/ and https://acme.com are
    one value. Twenty leaves anything its URL parser refuses (no scheme, e.g. acme.com/) as
    typed, and so does this macro; path, query and fragment keep their case. -#}
{% macro twenty_link_url(expression) -%}
    case
        when regexp_matches({{ expression }}, '^[hH][tT][tT][pP][sS]?://[^/?#]+')
            then regexp_replace(
                lower(regexp_extract({{ expression }}, '^([^:]+://[^/?#]+)', 1))
                || regexp_extract({{ expression }}, '^[^:]+://[^/?#]+(.*)$', 1),
                '/$',
                ''
            )
        else {{ expression }}
    end
{%- endmacro %}
