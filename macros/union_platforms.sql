{#- `select <columns> from stg_<platform>__<entity>` for every platform in var unified_platforms,
    joined by `union all`: how the int_ layer unions the platforms without repeating itself. Each
    platform's staging folder provides the entity with exactly these columns
    (docs/adding_a_platform.md). -#}
{% macro union_platforms(entity, columns) -%}
    {%- for platform in var('unified_platforms') %}
    select
        {{ columns | join(',\n        ') }}
    from {{ ref('stg_' ~ platform ~ '__' ~ entity) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
