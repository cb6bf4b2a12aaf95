{#- One row per element of a current Continue session's `history` (a `ChatHistoryItem`:
    `{message, contextItems, promptLogs?, toolCallStates?, reasoning?, conversationSummary?, ...}`),
    in history order. Messages carry no id before late 2025 and no parent ever: the message id is
    `<sessionId>:<message.id>` when the message has an `id`, else `<sessionId>:<history index>`,
    and the parent is the previous item (the history is one linear thread). Model names come from
    the item's last prompt log (`modelTitle`, a display title; the 2024 `[prompt, completion]`
    tuples name none). An item without a `message.role` is `is_malformed` (a dead letter). -#}

with

sessions as (

    select * from {{ ref('stg_continue__sessions') }}
    where parse_error is null and not is_superseded

),

items as (

    select
        sessions.platform,
        sessions.raw_checksum,
        sessions.source_uri,
        sessions.record_locator,
        sessions.source_file_version,
        sessions.run_id,
        sessions.extracted_at,
        sessions.native_session_id,
        item.element_index as item_index,
        item.element_json as item_json,
        case
            when {{ json_type('item.element_json', ['message']) }} = 'object'
                then {{ json_value('item.element_json', ['message']) }}
        end as message_json
    from sessions
    cross join lateral {{ json_each_element('sessions.record_json', ['history'], 'item') }}

),

parsed as (

    select
        *,
        {{ json_text('message_json', ['role']) }} as native_role,
        {{ json_text('message_json', ['id']) }} as message_id_field,
        {{ json_type('message_json', ['content']) }} as content_json_type,
        {{ json_value('message_json', ['content']) }} as content_json,
        case
            when {{ json_type('message_json', ['content']) }} = 'string'
                then {{ json_text('message_json', ['content']) }}
            when {{ json_type('message_json', ['content']) }} = 'array'
                then {{ json_array_join_key('message_json', ['content'], 'text', "'\n'") }}
        end as content_text,
        {{ json_text('message_json', ['toolCallId']) }} as tool_call_id,
        {{ json_array_length('message_json', ['toolCalls']) }} as tool_call_count,

        -- usage (assistant messages, newer versions)
        {{ try_cast_bigint(json_text('message_json', ['usage', 'promptTokens'])) }} as usage_prompt_tokens,
        {{ try_cast_bigint(json_text('message_json', ['usage', 'completionTokens'])) }}
            as usage_completion_tokens,
        {{ try_cast_bigint(json_text('message_json', ['usage', 'promptTokensDetails', 'cachedTokens'])) }}
            as usage_cached_tokens,
        {{ try_cast_bigint(json_text('message_json', ['usage', 'promptTokensDetails', 'cacheWriteTokens'])) }}
            as usage_cache_write_tokens,
        {{ try_cast_bigint(json_text('message_json', ['usage', 'completionTokensDetails', 'reasoningTokens'])) }}
            as usage_reasoning_tokens,

        -- the item around the message
        {{ json_array_length('item_json', ['contextItems']) }} as context_item_count,
        {{ json_array_length('item_json', ['promptLogs']) }} as prompt_log_count,
        {{ json_type('item_json', ['promptLogs', -1]) }} = 'array' as is_legacy_prompt_log,
        {{ json_text('item_json', ['promptLogs', -1, 'modelTitle']) }} as prompt_log_model_title,
        {{ json_text('item_json', ['promptLogs', -1, 'modelProvider']) }} as prompt_log_model_provider,
        {{ json_text('item_json', ['promptLogs', -1, 'completionOptions', 'model']) }}
            as prompt_log_model,
        {{ json_text('item_json', ['reasoning', 'text']) }} as reasoning_text,
        {{ to_utc_timestamp(json_text('item_json', ['reasoning', 'startAt'])) }} as reasoning_started_at,
        {{ to_utc_timestamp(json_text('item_json', ['reasoning', 'endAt'])) }} as reasoning_ended_at,
        {{ json_text('item_json', ['conversationSummary']) }} as conversation_summary,
        {{ json_text('item_json', ['isGatheringContext']) }} = 'true' as is_gathering_context
    from items

),

identified as (

    select
        *,
        native_session_id || ':' || coalesce(message_id_field, cast(item_index as {{ dbt.type_string() }}))
            as native_message_id,
        native_role is null as is_malformed
    from parsed

)

select
    *,
    lag(case when not is_malformed then native_message_id end) over (
        partition by raw_checksum order by item_index
    ) as previous_native_message_id,
    case
        when native_role = 'assistant'
            then row_number() over (
                partition by raw_checksum, native_role = 'assistant' order by item_index
            )
    end as assistant_ordinal
from identified
