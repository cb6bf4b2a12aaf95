{#- One row per extract run, from the run records the extractor writes into the lake (_runs/): when
    it ran, what it found, landed and failed, and how many of the files it failed on still fail
    now (a dead letter each in dead_letter_records). Per platform and per operation, audit_log. -#}

with

runs as (

    select * from {{ ref('stg_pipeline__extract_runs') }}

),

failing as (

    select
        run_id,
        count(distinct source_uri) as files_still_failing
    from {{ ref('int_file_failures_current') }}
    group by 1

),

final as (

    select
        ---------- ids
        runs.run_id,

        ---------- strings
        runs.status,
        runs.extractor_version,
        runs.lake_uri,
        runs.options_json,

        ---------- counts
        runs.files_seen,
        runs.files_new,
        runs.files_grown,
        runs.files_rewritten,
        runs.files_unchanged,
        runs.files_failed,
        cast(coalesce(failing.files_still_failing, 0) as {{ dbt.type_bigint() }})
            as files_still_failing,
        runs.rows_landed,
        runs.records_filtered,
        runs.bytes_read,
        runs.bytes_written,
        runs.error_count,

        ---------- durations
        runs.duration_seconds,

        ---------- timestamps
        runs.started_at,
        runs.finished_at,

        {{ schema_version() }} as schema_version

    from runs
    left join failing on runs.run_id = failing.run_id

)

select * from final
