{#- Tool calls per platform x tool: how often, how often they failed, how long they took, from
    the tool_calls mart. The median is percentile_cont ... within group, standard SQL that DuckDB
    and PostgreSQL (the project's adapters) both run. -#}

{%- if keep_while_lake_unchanged() %}

-- no scope of the lake changed since the last complete build: kept as that build made it
select * from {{ this }}

{%- else %}

with

tool_calls as (

    select * from {{ ref('tool_calls') }}

),

aggregated as (

    select
        platform,
        coalesce(tool_name, 'unknown') as tool_name,
        count(*) as calls,
        sum(case when is_error then 1 else 0 end) as errors,
        percentile_cont(0.5) within group (order by duration_ms) as median_duration_ms,
        avg(duration_ms) as avg_duration_ms,
        max(duration_ms) as max_duration_ms,
        min(timestamp) as first_used_at,
        max(timestamp) as last_used_at
    from tool_calls
    group by 1, 2

),

final as (

    select
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(tool_name as {{ dbt.type_string() }}) as tool_name,
        cast(calls as {{ dbt.type_bigint() }}) as calls,
        cast(errors as {{ dbt.type_bigint() }}) as errors,
        cast(errors as {{ type_double() }}) / calls as error_rate,
        cast(median_duration_ms as {{ type_double() }}) as median_duration_ms,
        cast(avg_duration_ms as {{ type_double() }}) as avg_duration_ms,
        cast(max_duration_ms as {{ dbt.type_bigint() }}) as max_duration_ms,
        first_used_at,
        last_used_at,
        {{ schema_version() }} as schema_version
    from aggregated

)

select * from final

{%- endif %}
