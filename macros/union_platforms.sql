{#- `select <columns> from stg_<platform>__<entity>` for every platform in var unified_platforms,
    joined by `union all`: how the int_ layer unions the platforms without repeating itself. Each
    platform's staging folder provides the entity with exactly these columns
    (docs/adding_a_platform.md). In an incremental run the select of a platform with no changed
    lake scope gets `where 1 = 0` (its staging views are empty then, macros/incremental.sql): it is
    not read, and the union keeps every platform's column types. -#}
{% macro union_platforms(entity, columns) -%}
    {%- set changed = var('unified_platforms') -%}
    {%- if execute and is_incremental() -%}
        {%- set changed = lake_changed_platforms() -%}
    {%- endif -%}
    {%- for platform in var('unified_platforms') %}
    select
        {{ columns | join(',\n        ') }}
    from {{ ref('stg_' ~ platform ~ '__' ~ entity) }}
    {%- if platform not in changed %}
    where 1 = 0
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
