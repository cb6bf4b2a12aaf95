{#- Every scope of the lake (macros/incremental.sql: a Claude Code or ChatGPT source file, or a whole
    other platform) with its raw record count, and whether this build recomputes it: its count
    differs from the last complete build's (int_lake_scopes_built), or there is no such build, or
    the build is a --full-refresh. Raw records are immutable and only ever added, so a scope whose
    count is unchanged holds exactly the records the warehouse was built from. Reads the raw
    sources, not the base models (they keep only the changed scopes). -#}

{{ config(materialized='table') }}

{%- set built = lake_scopes_built_relation() %}

with

records as (

    {{ union_raw_sources(['platform', 'source_uri', 'extracted_at']) }}

),

scopes as (

    select
        {{ lake_scope_id('platform', 'source_uri') }} as lake_scope_id,
        platform,
        count(*) as raw_records,
        max(extracted_at) as last_extracted_at
    from records
    group by 1, 2

),

built as (

    {%- if built is not none and not flags.FULL_REFRESH %}
    select distinct
        lake_scope_id,
        raw_records
    from {{ built }}
    {%- else %}
    -- no complete build yet, or a --full-refresh: every scope is changed
    select
        cast(null as {{ dbt.type_string() }}) as lake_scope_id,
        cast(null as {{ dbt.type_bigint() }}) as raw_records
    where 1 = 0
    {%- endif %}

),

final as (

    select
        scopes.lake_scope_id,
        scopes.platform,
        scopes.raw_records,
        scopes.last_extracted_at,
        coalesce(built.raw_records != scopes.raw_records, true) as is_changed
    from scopes
    left join built
        on scopes.lake_scope_id = built.lake_scope_id

)

select * from final
