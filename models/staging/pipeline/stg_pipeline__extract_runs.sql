{#- One row per extract run (the lake's _runs/ records, docs/raw_contract.md), typed and named as
    the pipeline models use them. -#}

with

source as (

    select * from {{ source('raw', 'extract_runs') }}

),

renamed as (

    select
        ---------- ids
        cast(run_id as {{ dbt.type_string() }}) as run_id,

        ---------- strings
        cast(status as {{ dbt.type_string() }}) as status,
        cast(extractor_version as {{ dbt.type_string() }}) as extractor_version,
        cast(lake_uri as {{ dbt.type_string() }}) as lake_uri,
        cast(options_json as {{ dbt.type_string() }}) as options_json,
        cast(errors_json as {{ dbt.type_string() }}) as errors_json,
        cast(platform_counts_json as {{ dbt.type_string() }}) as platform_counts_json,
        cast(files_json as {{ dbt.type_string() }}) as files_json,

        ---------- numerics
        cast(files_seen as {{ dbt.type_bigint() }}) as files_seen,
        cast(files_new as {{ dbt.type_bigint() }}) as files_new,
        cast(files_grown as {{ dbt.type_bigint() }}) as files_grown,
        cast(files_rewritten as {{ dbt.type_bigint() }}) as files_rewritten,
        cast(files_unchanged as {{ dbt.type_bigint() }}) as files_unchanged,
        cast(files_failed as {{ dbt.type_bigint() }}) as files_failed,
        cast(rows_landed as {{ dbt.type_bigint() }}) as rows_landed,
        cast(bytes_read as {{ dbt.type_bigint() }}) as bytes_read,
        cast(error_count as {{ dbt.type_bigint() }}) as error_count,
        cast(records_filtered as {{ dbt.type_bigint() }}) as records_filtered,
        cast(files_written as {{ dbt.type_bigint() }}) as files_written,
        cast(bytes_written as {{ dbt.type_bigint() }}) as bytes_written,
        cast(load_seconds as {{ type_double() }}) as load_seconds,
        cast(
            {{ milliseconds_between('started_at', 'finished_at') }} / 1000.0 as {{ type_double() }}
        ) as duration_seconds,

        ---------- timestamps
        started_at,
        finished_at

    from source

)

select * from renamed
