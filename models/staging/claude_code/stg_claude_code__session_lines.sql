{#- One row per landed Claude Code transcript record (a JSONL line, or an element of a web
    transcript's `loglines`): the envelope and the message fields, parsed and typed. Records that
    are not a JSON object with a `type` keep their raw text and say why in `parse_error`. -#}

with

source as (

    select * from {{ ref('base_claude_code__records') }}
    where record_kind = 'session_line'

),

guarded as (

    {{ select_json_guarded('source') }}

),

parsed as (

    select
        ---------- lineage
        raw_checksum,
        platform,
        source_uri,
        record_locator,
        record_ordinal,
        source_file_version,
        run_id,

        ---------- ids
        coalesce({{ json_text('record_json', ['uuid']) }}, source_uri || '#' || record_locator)
            as native_message_id,
        {{ json_text('record_json', ['parentUuid']) }} as parent_uuid,
        {{ json_text('record_json', ['logicalParentUuid']) }} as logical_parent_uuid,
        {{ json_text('record_json', ['sessionId']) }} as session_id,
        coalesce(
            {{ json_text('record_json', ['sessionId']) }},
            max({{ json_text('record_json', ['sessionId']) }}) over (partition by source_uri),
            {{ regex_extract('source_uri', '/([^/]+)/subagents/[^/]+$') }},
            regexp_replace({{ file_name('source_uri') }}, '\.(jsonl|json)$', '')
        ) as native_session_id,
        coalesce(
            {{ json_text('record_json', ['agentId']) }},
            {{ regex_extract(file_name('source_uri'), '^agent-([0-9A-Za-z_-]+)\\.jsonl$') }}
        ) as agent_id,
        {{ json_text('record_json', ['requestId']) }} as request_id,
        {{ json_text('record_json', ['message', 'id']) }} as api_message_id,
        {{ json_text('record_json', ['promptId']) }} as prompt_id,
        {{ json_text('record_json', ['sourceToolUseID']) }} as source_tool_use_id,
        {{ json_text('record_json', ['leafUuid']) }} as leaf_uuid,

        ---------- strings
        {{ json_text('record_json', ['type']) }} as line_type,
        {{ json_text('record_json', ['subtype']) }} as subtype,
        {{ json_text('record_json', ['message', 'role']) }} as message_role,
        {{ json_text('record_json', ['message', 'model']) }} as model,
        {{ json_text('record_json', ['message', 'stop_reason']) }} as stop_reason,
        {{ json_text('record_json', ['userType']) }} as user_type,
        {{ json_text('record_json', ['entrypoint']) }} as entrypoint,
        {{ json_text('record_json', ['cwd']) }} as cwd,
        {{ json_text('record_json', ['gitBranch']) }} as git_branch,
        coalesce({{ json_text('record_json', ['version']) }}, source_version) as app_version,
        {{ json_text('record_json', ['permissionMode']) }} as permission_mode,
        {{ json_text('record_json', ['level']) }} as level,
        {{ json_type('record_json', ['message', 'content']) }} as message_content_type,
        {{ json_value('record_json', ['message', 'content']) }} as message_content_json,
        {{ json_text('record_json', ['content']) }} as line_content_text,
        {{ json_text('record_json', ['summary']) }} as summary_text,
        {{ json_text('record_json', ['customTitle']) }} as custom_title,
        {{ json_text('record_json', ['aiTitle']) }} as ai_title,
        {{ json_value('record_json', ['toolUseResult']) }} as tool_use_result_json,
        {{ json_value('record_json', ['compactMetadata']) }} as compact_metadata_json,
        coalesce(
            {{ json_text('record_json', ['error', 'message']) }},
            {{ json_text('record_json', ['error']) }}
        ) as error_text,

        ---------- numerics
        {{ try_cast_bigint(json_text('record_json', ['message', 'usage', 'input_tokens'])) }}
            as input_tokens,
        {{ try_cast_bigint(json_text('record_json', ['message', 'usage', 'output_tokens'])) }}
            as output_tokens,
        {{ try_cast_bigint(json_text('record_json', ['message', 'usage', 'cache_read_input_tokens'])) }}
            as cache_read_input_tokens,
        {{ try_cast_bigint(json_text('record_json', ['message', 'usage', 'cache_creation_input_tokens'])) }}
            as cache_creation_input_tokens,
        {{ try_cast_bigint(json_text(
            'record_json', ['message', 'usage', 'cache_creation', 'ephemeral_5m_input_tokens']
        )) }} as cache_creation_5m_input_tokens,
        {{ try_cast_bigint(json_text(
            'record_json', ['message', 'usage', 'cache_creation', 'ephemeral_1h_input_tokens']
        )) }} as cache_creation_1h_input_tokens,
        {{ json_text('record_json', ['message', 'usage', 'service_tier']) }} as service_tier,
        {{ json_text('record_json', ['message', 'usage', 'speed']) }} as speed,
        {{ try_cast_bigint(json_text('record_json', ['durationMs'])) }} as duration_ms,
        {{ try_cast_double(json_text('record_json', ['costUSD'])) }} as reported_cost_usd,

        ---------- booleans
        is_valid_json,
        coalesce({{ json_text('record_json', ['isSidechain']) }} = 'true', false) as is_sidechain,
        coalesce({{ json_text('record_json', ['isMeta']) }} = 'true', false) as is_meta,
        coalesce({{ json_text('record_json', ['isCompactSummary']) }} = 'true', false)
            as is_compact_summary,
        coalesce({{ json_text('record_json', ['isApiErrorMessage']) }} = 'true', false)
            as is_api_error_message,

        ---------- timestamps
        {{ json_text('record_json', ['timestamp']) }} as timestamp_text,
        {{ to_utc_timestamp(json_text('record_json', ['timestamp'])) }} as occurred_at,
        extracted_at,

        ---------- the record
        record_json,
        case
            when not is_valid_json then 'invalid JSON: the record does not parse'
            when json_root_type != 'object'
                then 'not a Claude Code line: the JSON value is not an object (' || json_root_type || ')'
            when coalesce({{ json_type('record_json', ['type']) }}, 'missing') != 'string'
                then 'not a Claude Code line: the object has no "type"'
        end as parse_error

    from guarded

)

select * from parsed
