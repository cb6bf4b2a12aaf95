{#- Every raw record that could not become part of a conversation, with the reason. The raw text
    stays in the lake (join on raw_checksum); nothing is dropped silently. And every source file
    that currently fails to land (int_file_failures_current: the latest run that read it
    recorded an error for it): record_locator `file`, no record kind or checksum, the run's
    error as the reason. -#}

with

dead_letters as (

    select * from {{ ref('int_dead_letters_unioned') }}

),

file_failures as (

    select * from {{ ref('int_file_failures_current') }}

),

records as (

    select
        dead_letter_id,
        platform,
        source_uri,
        record_locator,
        record_kind,
        reason,
        raw_checksum,
        extracted_at,
        run_id
    from dead_letters

),

files as (

    select
        dead_letter_id,
        platform,
        source_uri,
        'file' as record_locator,
        cast(null as {{ dbt.type_string() }}) as record_kind,
        {{ dbt.concat(["'source file error: '", 'message']) }} as reason,
        cast(null as {{ dbt.type_string() }}) as raw_checksum,
        failed_at as extracted_at,
        run_id
    from file_failures

),

unioned as (

    select * from records
    union all
    select * from files

),

final as (

    select
        cast(dead_letter_id as {{ dbt.type_string() }}) as dead_letter_id,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(source_uri as {{ dbt.type_string() }}) as source_uri,
        cast(record_locator as {{ dbt.type_string() }}) as record_locator,
        cast(record_kind as {{ dbt.type_string() }}) as record_kind,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(raw_checksum as {{ dbt.type_string() }}) as raw_checksum,
        extracted_at,
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        {{ schema_version() }} as schema_version
    from unioned

)

select * from final
