{#- Every platform's messages in one relation, with deterministic unified ids. One row per landed
    message record: duplicates (the same message landed from two files or two runs) are still here
    and are folded by int_messages_deduplicated. Each new platform adds one select below. -#}

{{ incremental_by_lake_scope() }}

with

unioned as (

    {{ union_platforms('messages', [
        'platform',
        'native_message_id',
        'native_session_id',
        'native_parent_message_id',
        'api_response_id',
        'native_role',
        'model',
        'user_type',
        'workspace_path',
        'git_branch',
        'app_version',
        'input_tokens',
        'output_tokens',
        'cache_read_tokens',
        'cache_write_tokens',
        'cache_write_5m_tokens',
        'cache_write_1h_tokens',
        'reasoning_tokens',
        'reported_cost',
        'duration_ms',
        'is_final_response_line',
        'is_sidechain',
        'is_api_error',
        'is_active_path',
        'occurred_at',
        'extracted_at',
        'raw_checksum',
        'source_uri',
        'record_locator',
        'record_ordinal',
        'source_file_version',
        'run_id',
        'metadata'
    ]) }}

),

identified as (

    select
        {{ deterministic_id(['platform', 'native_message_id']) }} as message_id,
        {{ deterministic_id(['platform', 'native_session_id']) }} as conversation_id,
        case
            when native_parent_message_id is not null
                then {{ deterministic_id(['platform', 'native_parent_message_id']) }}
        end as parent_message_id,
        *
    from unioned

)

select * from identified
