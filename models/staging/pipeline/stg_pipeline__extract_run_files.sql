{#- One row per source file an extract run read (files_json; the files it skipped as unchanged are
    not listed): what it made of the file. Runs written before files_json existed list none. -#}

with

runs as (

    select * from {{ ref('stg_pipeline__extract_runs') }}

),

files as (

    select
        runs.run_id,
        runs.started_at,
        file.element_json as file_json
    from {{ json_elements_from('runs', 'runs.files_json', [], 'file') }}

),

final as (

    select
        run_id,
        cast({{ json_text('file_json', ['platform']) }} as {{ dbt.type_string() }}) as platform,
        cast({{ json_text('file_json', ['file']) }} as {{ dbt.type_string() }}) as source_uri,
        cast({{ json_text('file_json', ['outcome']) }} as {{ dbt.type_string() }}) as outcome,
        cast({{ json_text('file_json', ['rows']) }} as {{ dbt.type_bigint() }}) as rows_landed,
        cast({{ json_text('file_json', ['bytes']) }} as {{ dbt.type_bigint() }}) as bytes_read,
        cast({{ json_text('file_json', ['errors']) }} as {{ dbt.type_bigint() }}) as error_count,
        started_at
    from files

)

select * from final
