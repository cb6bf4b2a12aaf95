{#- The deduplication action configured for a level (raw_checksum, content_hash, fuzzy), as a SQL
    string literal; an unknown level or action fails at compile time with a readable message. -#}
{% macro dedup_action(level) -%}
    {%- set defaults = {'raw_checksum': 'skip', 'content_hash': 'merge', 'fuzzy': 'version'} -%}
    {%- if level not in defaults -%}
        {{ exceptions.raise_compiler_error("unknown deduplication level '" ~ level ~ "'") }}
    {%- endif -%}
    {%- set action = var('dedup_' ~ level ~ '_action', defaults[level]) | string | lower -%}
    {%- if action not in ['skip', 'merge', 'version', 'error'] -%}
        {{ exceptions.raise_compiler_error(
            "var dedup_" ~ level ~ "_action is '" ~ action
            ~ "': it must be one of skip, merge, version, error"
        ) }}
    {%- endif -%}
    '{{ action }}'
{%- endmacro %}


{#- The unified schema version every mart row carries (var unified_schema_version; the versions and
    what each changed are in the schema_versions seed and CHANGELOG.md). -#}
{% macro schema_version() -%}
    cast('{{ var("unified_schema_version") }}' as {{ dbt.type_string() }})
{%- endmacro %}
