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


{#- The order of messages in a conversation, a total order on every adapter: time, then the file
    and the record they were read from, then the turn order of roles that share a record or a
    timestamp (a Copilot request holds its user and assistant message), then the native id.
    direction 'asc' lists them first to last; 'desc' last to first. `prefix` qualifies columns. -#}
{% macro message_sequence_order(prefix='', direction='asc') -%}
    {%- set p = prefix ~ '.' if prefix else '' -%}
    {{ p }}occurred_at {{ direction }} nulls last,
    {{ p }}source_uri {{ direction }},
    {{ p }}record_ordinal {{ direction }},
    case {{ p }}role when 'system' then 0 when 'user' then 1 when 'assistant' then 2 else 3 end {{ direction }},
    {{ p }}native_message_id {{ direction }}
{%- endmacro %}
