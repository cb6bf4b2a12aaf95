{#- The source files that currently fail to land: the errors an extract run recorded for a file,
    kept only when that run is the latest one that read the file (the latest run per file
    decides). A file that failed and was read fine by a later run (fixed, readable again) is
    gone; one that still fails shows its latest errors. A refused zip member keeps its archive
    here until the archive changes (the rest of it landed, so the runs after it skip it as
    unchanged). Only runs that list the files they read (files_json) count: an error of an older
    run cannot be told apart from one fixed since. Errors of the lake itself (platform `-`) are
    no file's: audit_log shows them. -#}

with

runs_listing_files as (

    select run_id from {{ ref('stg_pipeline__extract_runs') }}
    where files_json is not null

),

errors as (

    select errors.*
    from {{ ref('stg_pipeline__extract_run_errors') }} as errors
    inner join runs_listing_files on errors.run_id = runs_listing_files.run_id
    where errors.platform <> '-'

),

reads as (

    select
        platform,
        source_uri,
        run_id,
        started_at
    from {{ ref('stg_pipeline__extract_run_files') }}
    union
    select
        platform,
        source_uri,
        run_id,
        started_at
    from errors

),

latest_reads as (

    select
        *,
        row_number() over (
            partition by platform, source_uri
            order by started_at desc, run_id desc
        ) as recency_rank
    from reads

),

current_errors as (

    select
        errors.*,
        row_number() over (
            partition by errors.platform, errors.source_uri, errors.message
            order by errors.error_index
        ) as occurrence
    from errors
    inner join latest_reads
        on
            errors.run_id = latest_reads.run_id
            and errors.platform = latest_reads.platform
            and errors.source_uri = latest_reads.source_uri
    where latest_reads.recency_rank = 1

)

select
    {{ deterministic_id(['platform', 'source_uri', "'file'", 'message', 'occurrence']) }}
        as dead_letter_id,
    platform,
    source_uri,
    message,
    started_at as failed_at,
    run_id
from current_errors
