{#- openai_api log records that cannot become part of a conversation, with the reason: lines that
    are not JSON or not an object, entries of no known shape (a streamed chunk, a Responses API
    object, an APIM entry whose logged body is not JSON), and calls that are not Chat Completions
    (another Batch endpoint, a response that is not a chat.completion). Azure diagnostic entries and
    APIM entries without bodies are not dead letters: they are counted in
    stg_openai_api__diagnostic_calls. -#}

with

entries as (

    select * from {{ ref('stg_openai_api__log_entries') }}
    where parse_error is not null

),

unusable_calls as (

    select * from {{ ref('stg_openai_api__calls') }}
    where unusable_reason is not null

),

entry_letters as (

    select
        platform,
        source_uri,
        record_locator,
        'log_line' as record_kind,
        case
            when entry_index is null then parse_error
            else 'records[' || cast(entry_index as {{ dbt.type_string() }}) || ']: ' || parse_error
        end as reason,
        raw_checksum,
        extracted_at,
        run_id
    from entries

),

call_letters as (

    select
        'openai_api' as platform,
        coalesce(response_source_uri, request_source_uri) as source_uri,
        coalesce(response_record_locator, request_record_locator) as record_locator,
        'log_line' as record_kind,
        unusable_reason as reason,
        coalesce(response_raw_checksum, request_raw_checksum) as raw_checksum,
        coalesce(response_extracted_at, request_extracted_at) as extracted_at,
        coalesce(response_run_id, request_run_id) as run_id
    from unusable_calls

)

select * from entry_letters
union all
select * from call_letters
