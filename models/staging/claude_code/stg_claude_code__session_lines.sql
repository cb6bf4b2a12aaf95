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

{#- every scalar the columns below read, parsed out of each line at once -#}
{%- set texts = {
    'j_uuid': ['uuid'],
    'j_parent_uuid': ['parentUuid'],
    'j_logical_parent_uuid': ['logicalParentUuid'],
    'j_session_id': ['sessionId'],
    'j_agent_id': ['agentId'],
    'j_request_id': ['requestId'],
    'j_message_id': ['message', 'id'],
    'j_prompt_id': ['promptId'],
    'j_source_tool_use_id': ['sourceToolUseID'],
    'j_leaf_uuid': ['leafUuid'],
    'j_type': ['type'],
    'j_subtype': ['subtype'],
    'j_message_role': ['message', 'role'],
    'j_message_model': ['message', 'model'],
    'j_message_stop_reason': ['message', 'stop_reason'],
    'j_user_type': ['userType'],
    'j_entrypoint': ['entrypoint'],
    'j_cwd': ['cwd'],
    'j_git_branch': ['gitBranch'],
    'j_version': ['version'],
    'j_permission_mode': ['permissionMode'],
    'j_level': ['level'],
    'j_content': ['content'],
    'j_summary': ['summary'],
    'j_custom_title': ['customTitle'],
    'j_ai_title': ['aiTitle'],
    'j_error_message': ['error', 'message'],
    'j_error': ['error'],
    'j_input_tokens': ['message', 'usage', 'input_tokens'],
    'j_output_tokens': ['message', 'usage', 'output_tokens'],
    'j_cache_read_input_tokens': ['message', 'usage', 'cache_read_input_tokens'],
    'j_cache_creation_input_tokens': ['message', 'usage', 'cache_creation_input_tokens'],
    'j_cache_creation_5m_input_tokens':
        ['message', 'usage', 'cache_creation', 'ephemeral_5m_input_tokens'],
    'j_cache_creation_1h_input_tokens':
        ['message', 'usage', 'cache_creation', 'ephemeral_1h_input_tokens'],
    'j_service_tier': ['message', 'usage', 'service_tier'],
    'j_speed': ['message', 'usage', 'speed'],
    'j_duration_ms': ['durationMs'],
    'j_cost_usd': ['costUSD'],
    'j_is_sidechain': ['isSidechain'],
    'j_is_meta': ['isMeta'],
    'j_is_compact_summary': ['isCompactSummary'],
    'j_is_api_error_message': ['isApiErrorMessage'],
    'j_timestamp': ['timestamp']
} %}

extracted as (

    {{ select_json_texts('guarded', 'record_json', texts) }}

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
        coalesce(j_uuid, source_uri || '#' || record_locator) as native_message_id,
        j_parent_uuid as parent_uuid,
        j_logical_parent_uuid as logical_parent_uuid,
        j_session_id as session_id,
        coalesce(
            j_session_id,
            max(j_session_id) over (partition by source_uri),
            {{ regex_extract('source_uri', '/([^/]+)/subagents/[^/]+$') }},
            regexp_replace({{ file_name('source_uri') }}, '\.(jsonl|json)$', '')
        ) as native_session_id,
        coalesce(
            j_agent_id,
            {{ regex_extract(file_name('source_uri'), '^agent-([0-9A-Za-z_-]+)\\.jsonl$') }}
        ) as agent_id,
        j_request_id as request_id,
        j_message_id as api_message_id,
        j_prompt_id as prompt_id,
        j_source_tool_use_id as source_tool_use_id,
        j_leaf_uuid as leaf_uuid,

        ---------- strings
        j_type as line_type,
        j_subtype as subtype,
        j_message_role as message_role,
        j_message_model as model,
        j_message_stop_reason as stop_reason,
        j_user_type as user_type,
        j_entrypoint as entrypoint,
        j_cwd as cwd,
        j_git_branch as git_branch,
        coalesce(j_version, source_version) as app_version,
        j_permission_mode as permission_mode,
        j_level as level,
        {{ json_type('record_json', ['message', 'content']) }} as message_content_type,
        {{ json_value('record_json', ['message', 'content']) }} as message_content_json,
        j_content as line_content_text,
        j_summary as summary_text,
        j_custom_title as custom_title,
        j_ai_title as ai_title,
        {{ json_value('record_json', ['toolUseResult']) }} as tool_use_result_json,
        {{ json_value('record_json', ['compactMetadata']) }} as compact_metadata_json,
        coalesce(j_error_message, j_error) as error_text,

        ---------- numerics
        {{ try_cast_bigint('j_input_tokens') }} as input_tokens,
        {{ try_cast_bigint('j_output_tokens') }} as output_tokens,
        {{ try_cast_bigint('j_cache_read_input_tokens') }} as cache_read_input_tokens,
        {{ try_cast_bigint('j_cache_creation_input_tokens') }} as cache_creation_input_tokens,
        {{ try_cast_bigint('j_cache_creation_5m_input_tokens') }} as cache_creation_5m_input_tokens,
        {{ try_cast_bigint('j_cache_creation_1h_input_tokens') }} as cache_creation_1h_input_tokens,
        j_service_tier as service_tier,
        j_speed as speed,
        {{ try_cast_bigint('j_duration_ms') }} as duration_ms,
        {{ try_cast_double('j_cost_usd') }} as reported_cost_usd,

        ---------- booleans
        is_valid_json,
        coalesce(j_is_sidechain = 'true', false) as is_sidechain,
        coalesce(j_is_meta = 'true', false) as is_meta,
        coalesce(j_is_compact_summary = 'true', false) as is_compact_summary,
        coalesce(j_is_api_error_message = 'true', false) as is_api_error_message,

        ---------- timestamps
        j_timestamp as timestamp_text,
        {{ to_utc_timestamp('j_timestamp') }} as occurred_at,
        extracted_at,

        ---------- why the record is not usable
        case
            when not is_valid_json then 'invalid JSON: the record does not parse'
            when json_root_type != 'object'
                then 'not a Claude Code line: the JSON value is not an object (' || json_root_type || ')'
            when coalesce({{ json_type('record_json', ['type']) }}, 'missing') != 'string'
                then 'not a Claude Code line: the object has no "type"'
        end as parse_error

    from extracted

)

select * from parsed
