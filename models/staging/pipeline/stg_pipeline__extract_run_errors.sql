{#- One row per error an extract run recorded (errors_json): a source file it could not read or
    land (unreadable, vanished, a refused zip member, a corrupt archive), a folder it could not
    list or a --source path that is not there (platform and path), or the lake itself (platform
    `-`). -#}

with

runs as (

    select * from {{ ref('stg_pipeline__extract_runs') }}

),

errors as (

    select
        runs.run_id,
        runs.started_at,
        runs.finished_at,
        error.element_index as error_index,
        error.element_json as error_json
    from {{ json_elements_from('runs', 'runs.errors_json', [], 'error') }}

),

final as (

    select
        run_id,
        cast(error_index as {{ dbt.type_bigint() }}) as error_index,
        cast({{ json_text('error_json', ['platform']) }} as {{ dbt.type_string() }}) as platform,
        cast({{ json_text('error_json', ['file']) }} as {{ dbt.type_string() }}) as source_uri,
        cast({{ json_text('error_json', ['message']) }} as {{ dbt.type_string() }}) as message,
        started_at,
        finished_at
    from errors

)

select * from final
