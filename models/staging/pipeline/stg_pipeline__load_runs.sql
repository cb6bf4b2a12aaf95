{#- One row per `python -m extract load` into this warehouse (raw._load_runs, written by
    extract/load.py). Only PostgreSQL has a load step: DuckDB (and Spark) read the lake in place,
    so there the relation is empty (macro pipeline_load_runs). -#}

with

source as (

    {{ pipeline_load_runs() }}

),

renamed as (

    select
        cast(load_id as {{ dbt.type_string() }}) as load_id,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(lake_uri as {{ dbt.type_string() }}) as lake_uri,
        cast(errors_json as {{ dbt.type_string() }}) as errors_json,
        cast(files_seen as {{ dbt.type_bigint() }}) as files_seen,
        cast(files_loaded as {{ dbt.type_bigint() }}) as files_loaded,
        cast(files_skipped as {{ dbt.type_bigint() }}) as files_skipped,
        cast(files_failed as {{ dbt.type_bigint() }}) as files_failed,
        cast(rows_loaded as {{ dbt.type_bigint() }}) as rows_loaded,
        cast(bytes_loaded as {{ dbt.type_bigint() }}) as bytes_loaded,
        cast(retries as {{ dbt.type_bigint() }}) as retries,
        cast(
            {{ milliseconds_between('started_at', 'finished_at') }} / 1000.0 as {{ type_double() }}
        ) as duration_seconds,
        started_at,
        finished_at
    from source

)

select * from renamed
