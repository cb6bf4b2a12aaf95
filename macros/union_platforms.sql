{#- `select <columns> from stg_<platform>__<entity>` for every platform in var unified_platforms,
    joined by `union all`: how the int_ layer unions the platforms without repeating itself. Each
    platform's staging folder provides the entity with exactly these columns
    (docs/adding_a_platform.md). In an incremental run the select of a platform with no changed
    lake scope gets `where 1 = 0` (its staging views are empty then, macros/incremental.sql): it is
    not read, and the union keeps every platform's column types. -#}
{% macro union_platforms(entity, columns) -%}
    {%- set unread = [] -%}
    {%- if execute and is_incremental() -%}
        {%- set changed = lake_changed_platforms() -%}
        {%- set unread = var('unified_platforms') | reject('in', changed) | list -%}
    {%- endif -%}
    {{ _union_relations(var('unified_platforms'), 'stg_{platform}__' ~ entity, columns, unread) }}
{%- endmacro %}


{#- `select <columns> from <platform>__<seed>` for every platform in var unified_platforms, joined
    by `union all`: each platform's own seed (seeds/platforms/<platform>/<platform>__<seed>.csv)
    in one relation. A registered platform without the seed fails dbt's parse with an error that
    names the missing seed (`... depends on a node named '<platform>__<seed>' which was not
    found`). -#}
{% macro union_platform_seeds(seed, columns) -%}
    {{ _union_relations(var('unified_platforms'), '{platform}__' ~ seed, columns) }}
{%- endmacro %}


{#- `select <columns> from source('raw', <platform>)` for every platform in var unified_platforms,
    joined by `union all`: the raw records of the whole lake, unfiltered (the base models keep
    only the scopes a build recomputes). -#}
{% macro union_raw_sources(columns) -%}
    {%- for platform in var('unified_platforms') %}
    select
        {{ columns | join(',\n        ') }}
    from {{ source('raw', platform) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- the select of `columns` from ref(name_pattern with {platform} replaced) for each platform,
    joined by union all; the platforms in `unread` select nothing (`where 1 = 0`) -#}
{% macro _union_relations(platforms, name_pattern, columns, unread=[]) -%}
    {%- if platforms | length == 0 -%}
        {{ exceptions.raise_compiler_error("var unified_platforms lists no platform: run `make platforms`") }}
    {%- endif -%}
    {%- for platform in platforms %}
    select
        {{ columns | join(',\n        ') }}
    from {{ ref(name_pattern | replace('{platform}', platform)) }}
    {%- if platform in unread %}
    where 1 = 0
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
