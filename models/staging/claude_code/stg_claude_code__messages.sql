{#- One row per Claude Code conversational line (user, assistant, system), typed and renamed to the
    unified vocabulary. Usage is still per line here: folding a streamed response's repeated usage
    to one line happens in int_messages_deduplicated. -#}

with

session_lines as (

    select * from {{ ref('stg_claude_code__session_lines') }}
    where
        parse_error is null
        and line_type in ('user', 'assistant', 'system')

),

renamed as (

    select
        ---------- ids
        platform,
        native_message_id,
        native_session_id,
        parent_uuid as native_parent_message_id,
        case
            when line_type = 'assistant' and api_message_id is not null and model != '<synthetic>'
                then api_message_id || ':' || coalesce(
                    request_id, native_session_id || '@' || coalesce(timestamp_text, '')
                )
        end as api_response_id,
        agent_id,

        ---------- strings
        case
            when
                line_type = 'user'
                and message_content_type = 'array'
                and {{ regex_full_match(
                    json_array_join_key('message_content_json', [], 'type', "','"),
                    '(tool_result,?)+'
                ) }}
                then 'tool_result'
            else line_type
        end as native_role,
        line_type,
        subtype,
        model,
        stop_reason,
        user_type,
        cwd as workspace_path,
        nullif(git_branch, '') as git_branch,
        app_version,
        entrypoint,

        ---------- numerics: Anthropic usage, input EXCLUDES cache reads and writes
        case when model = '<synthetic>' then null else {{ uncached_input_tokens(
            'input_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', false
        ) }} end as input_tokens,
        case when model = '<synthetic>' then null else output_tokens end as output_tokens,
        case when model = '<synthetic>' then null else cache_read_input_tokens end as cache_read_tokens,
        case when model = '<synthetic>' then null else {{ cache_write_tokens(
            'cache_creation_input_tokens', 'cache_creation_5m_input_tokens', 'cache_creation_1h_input_tokens'
        ) }} end as cache_write_tokens,
        case when model = '<synthetic>' then null else {{ cache_write_5m_tokens(
            'cache_creation_input_tokens', 'cache_creation_5m_input_tokens', 'cache_creation_1h_input_tokens'
        ) }} end as cache_write_5m_tokens,
        case when model = '<synthetic>' then null else {{ cache_write_1h_tokens(
            'cache_creation_input_tokens', 'cache_creation_5m_input_tokens', 'cache_creation_1h_input_tokens'
        ) }} end as cache_write_1h_tokens,
        cast(null as {{ dbt.type_bigint() }}) as reasoning_tokens,
        reported_cost_usd as reported_cost,
        duration_ms,

        ---------- booleans
        line_type = 'assistant' and stop_reason is not null as is_final_response_line,
        is_sidechain,
        is_meta,
        is_compact_summary,
        is_api_error_message or coalesce(model = '<synthetic>', false) as is_api_error,
        -- Claude Code's main thread (last leaf up through the parents) is not flagged yet
        cast(null as boolean) as is_active_path,

        ---------- timestamps
        occurred_at,
        extracted_at,

        ---------- lineage
        raw_checksum,
        source_uri,
        record_locator,
        record_ordinal,
        source_file_version,
        run_id,

        ---------- metadata
        {{ json_object([
            ('subtype', 'subtype'),
            ('stop_reason', 'stop_reason'),
            ('request_id', 'request_id'),
            ('agent_id', 'agent_id'),
            ('entrypoint', 'entrypoint'),
            ('permission_mode', 'permission_mode'),
            ('service_tier', 'service_tier'),
            ('speed', 'speed'),
            ('is_meta', 'is_meta'),
            ('is_compact_summary', 'is_compact_summary'),
            ('is_api_error_message', 'is_api_error_message'),
            ('logical_parent_uuid', 'logical_parent_uuid'),
            ('source_tool_use_id', 'source_tool_use_id'),
            ('error', 'error_text'),
            ('tool_use_result', 'tool_use_result_json'),
            ('compact_metadata', 'compact_metadata_json'),
        ], json_keys=['tool_use_result', 'compact_metadata']) }} as metadata

    from session_lines

)

select * from renamed
