{#- Titles and summaries of openai_api conversations, in the unified summary columns. The Chat
    Completions API has no titles or summaries, and neither do Batch files, gateway logs or
    diagnostic logs: this model is empty by construction. It exists because the unified layer
    unions every platform's summaries (docs/adding_a_platform.md); the conversations mart titles
    an openai_api conversation by its first user prompt instead. -#}

with

threads as (

    select * from {{ ref('stg_openai_api__call_threads') }}

),

no_summaries as (

    select
        'openai_api' as platform,
        native_session_id,
        cast(null as {{ dbt.type_string() }}) as summary_type,
        cast(null as {{ dbt.type_string() }}) as summary_text,
        cast(null as {{ dbt.type_string() }}) as covers_native_message_id,
        call_at as occurred_at,
        cast(null as {{ dbt.type_timestamp() }}) as extracted_at,
        cast(null as {{ dbt.type_string() }}) as source_uri,
        cast(null as {{ dbt.type_bigint() }}) as record_ordinal
    from threads
    where 1 = 0

)

select * from no_summaries
