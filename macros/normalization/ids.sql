{#- Deterministic, UUID-shaped ids: md5 of the parts joined by '|' (nulls as '_null_'), laid out
    8-4-4-4-12. Re-running on the same raw data gives the same ids on every adapter. -#}
{% macro deterministic_id(parts) -%}
    {%- set pieces = [] -%}
    {%- for part in parts -%}
        {%- do pieces.append("coalesce(cast(" ~ part ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
        {%- if not loop.last -%}{%- do pieces.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {%- set digest = dbt.hash(dbt.concat(pieces)) -%}
    {{ dbt.concat([
        "substr(" ~ digest ~ ", 1, 8)", "'-'",
        "substr(" ~ digest ~ ", 9, 4)", "'-'",
        "substr(" ~ digest ~ ", 13, 4)", "'-'",
        "substr(" ~ digest ~ ", 17, 4)", "'-'",
        "substr(" ~ digest ~ ", 21, 12)"
    ]) }}
{%- endmacro %}
