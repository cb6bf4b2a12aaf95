{#- One row per extract run and platform it looked at: the run record's per-platform counts
    (platform_counts_json) and the errors it recorded for that platform (errors_json). -#}

with

runs as (

    select * from {{ ref('stg_pipeline__extract_runs') }}

),

errors as (

    select
        run_id,
        platform,
        count(*) as error_count
    from {{ ref('stg_pipeline__extract_run_errors') }}
    group by 1, 2

),

platforms as (

    select
        runs.run_id,
        runs.started_at,
        runs.finished_at,
        runs.duration_seconds,
        cast(counts.member_key as {{ dbt.type_string() }}) as platform,
        counts.member_json as counts_json
    from runs
    cross join lateral {{ json_each_member('runs.platform_counts_json', [], 'counts') }}

),

final as (

    select
        platforms.run_id,
        platforms.platform,
        cast({{ json_text('platforms.counts_json', ['files_seen']) }} as {{ dbt.type_bigint() }})
            as files_seen,
        cast({{ json_text('platforms.counts_json', ['new']) }} as {{ dbt.type_bigint() }})
            as files_new,
        cast({{ json_text('platforms.counts_json', ['grown']) }} as {{ dbt.type_bigint() }})
            as files_grown,
        cast({{ json_text('platforms.counts_json', ['rewritten']) }} as {{ dbt.type_bigint() }})
            as files_rewritten,
        cast({{ json_text('platforms.counts_json', ['unchanged']) }} as {{ dbt.type_bigint() }})
            as files_unchanged,
        cast({{ json_text('platforms.counts_json', ['failed']) }} as {{ dbt.type_bigint() }})
            as files_failed,
        cast({{ json_text('platforms.counts_json', ['rows_landed']) }} as {{ dbt.type_bigint() }})
            as rows_landed,
        cast({{ json_text('platforms.counts_json', ['bytes_read']) }} as {{ dbt.type_bigint() }})
            as bytes_read,
        cast(coalesce(errors.error_count, 0) as {{ dbt.type_bigint() }}) as error_count,
        platforms.duration_seconds,
        platforms.started_at,
        platforms.finished_at
    from platforms
    left join errors
        on
            platforms.run_id = errors.run_id
            and platforms.platform = errors.platform

)

select * from final
