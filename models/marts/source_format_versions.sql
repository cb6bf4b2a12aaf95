{#- What the lake holds per platform and format version (the version each raw record states:
    Claude Code's `version`, the Copilot Chat extension version), with whether the version is one
    the staging models were written against (int_format_versions_unioned: each platform's
    <platform>__known_format_versions seed). An unknown, newer version still loads as far as its
    records go; here it is counted so that it gets noticed. -#}

{%- if keep_while_lake_unchanged() %}

-- no scope of the lake changed since the last complete build: kept as that build made it
select * from {{ this }}

{%- else %}

with

records as (

    -- the raw sources: the base models keep only the scopes a build recomputes
    {{ union_raw_sources(['platform', 'record_kind', 'source_version', 'extracted_at']) }}

),

known as (

    select * from {{ ref('int_format_versions_unioned') }}

),

counted as (

    select
        platform,
        record_kind,
        source_version,
        count(*) as records,
        min(extracted_at) as first_extracted_at,
        max(extracted_at) as last_extracted_at
    from records
    group by 1, 2, 3

),

final as (

    select
        cast(
            {{ deterministic_id(['counted.platform', 'counted.record_kind', 'counted.source_version']) }}
            as {{ dbt.type_string() }}
        ) as source_format_version_id,
        cast(counted.platform as {{ dbt.type_string() }}) as platform,
        cast(counted.record_kind as {{ dbt.type_string() }}) as record_kind,
        cast(counted.source_version as {{ dbt.type_string() }}) as source_version,
        cast(counted.records as {{ dbt.type_bigint() }}) as records,
        counted.source_version is null or exists (
            select 1 as is_known
            from known
            where
                known.platform = counted.platform
                and counted.source_version like known.version_prefix || '%'
        ) as is_known_version,
        counted.first_extracted_at,
        counted.last_extracted_at,
        {{ schema_version() }} as schema_version
    from counted

)

select * from final

{%- endif %}
