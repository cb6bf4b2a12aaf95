{#- Every raw record that could not become part of a conversation, with the reason. The raw text
    stays in the lake (join on raw_checksum); nothing is dropped silently. -#}

with

dead_letters as (

    select * from {{ ref('int_dead_letters_unioned') }}

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
    from dead_letters

)

select * from final
