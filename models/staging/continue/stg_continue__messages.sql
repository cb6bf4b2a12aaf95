{#- One row per Continue message (a well-formed history item of a current session), in the unified
    message columns.
    - Ids: `<sessionId>:<message.id or history index>`; the parent is the previous item (Continue
      keeps one linear thread and no parent ids). `record_ordinal` is the item's 1-based position in
      the history, so messages sort in history order (the raw record is the whole document).
    - Time: Continue writes no per-message time. A message's own time is its chatInteraction
      event's (stg_continue__interactions) or, failing that, its `reasoning.startAt`. Every other
      message takes the latest time known before it in the history, starting from the session's
      `dateCreated` in sessions.json (else the session file's mtime, else the extract time); so
      times never go backwards along the history. `metadata.timestamp_source` says which
      (`chat_interaction`, `reasoning_start`, `previous_message`, `session_created`,
      `file_mtime`, `extracted_at`) and `metadata.timestamp_is_fallback` is true unless the
      message has its own time.
    - Tokens (OpenAI-style: `promptTokens` includes cached reads and writes, reasoning is inside
      `completionTokens`): the message's `usage` when any message of the session has one (newer
      versions); else the session's `usage` on its last assistant message; else the paired
      tokensGenerated event (dev_data). `metadata.usage_source` says which.
    - Cost: Continue reports USD only per session (`usage.totalCost`). It is `reported_cost` on
      the session's last assistant message with usage; the session's other messages with usage
      carry `reported_cost` 0 and `metadata.cost_in_session_total` true, so the session's cost
      is counted once, as reported. Without totalCost, cost is estimated downstream.
    - Model: the chatInteraction's model, the tokensGenerated model, the prompt log's
      `completionOptions.model`, its `modelTitle`, then the session's `chatModelTitle`
      (the last three are display titles). -#}

with

items as (

    select * from {{ ref('stg_continue__history_items') }}
    where not is_malformed

),

sessions as (

    select * from {{ ref('stg_continue__sessions') }}
    where parse_error is null and not is_superseded

),

index_entries as (

    select * from {{ ref('stg_continue__sessions_index') }}
    where is_current

),

interactions as (

    select * from {{ ref('stg_continue__interactions') }}

),

session_facts as (

    select
        raw_checksum,
        max(
            case
                when usage_prompt_tokens is not null or usage_completion_tokens is not null then 1
                else 0
            end
        ) = 1 as has_message_usage,
        max(case when native_role = 'assistant' then item_index end) as last_assistant_index,
        max(
            case
                when
                    native_role = 'assistant'
                    and (usage_prompt_tokens is not null or usage_completion_tokens is not null)
                    then item_index
            end
        ) as last_usage_index
    from items
    group by 1

),

joined as (

    select
        items.*,
        sessions.title as session_title,
        sessions.workspace_path,
        sessions.chat_mode,
        sessions.chat_model_title,
        sessions.usage_prompt_tokens as session_prompt_tokens,
        sessions.usage_completion_tokens as session_completion_tokens,
        sessions.usage_cached_tokens as session_cached_tokens,
        sessions.usage_cache_write_tokens as session_cache_write_tokens,
        sessions.usage_reasoning_tokens as session_reasoning_tokens,
        sessions.usage_total_cost as session_total_cost,
        sessions.source_mtime,
        index_entries.created_at as index_created_at,
        session_facts.has_message_usage,
        session_facts.last_assistant_index,
        session_facts.last_usage_index,
        interactions.occurred_at as interaction_at,
        interactions.chat_model,
        interactions.tokens_model,
        interactions.app_version as interaction_app_version,
        interactions.prompt_tokens as event_prompt_tokens,
        interactions.generated_tokens as event_generated_tokens,
        interactions.chat_record_locator,
        interactions.tokens_record_locator
    from items
    inner join sessions
        on items.raw_checksum = sessions.raw_checksum
    inner join session_facts
        on items.raw_checksum = session_facts.raw_checksum
    left join index_entries
        on items.native_session_id = index_entries.native_session_id
    left join interactions
        on items.native_message_id = interactions.native_message_id

),

usage_chosen as (

    select
        *,
        case
            when has_message_usage
                then case
                    when usage_prompt_tokens is not null or usage_completion_tokens is not null
                        then 'message'
                end
            when
                item_index = last_assistant_index
                and (session_prompt_tokens is not null or session_completion_tokens is not null)
                then 'session'
            when event_prompt_tokens is not null or event_generated_tokens is not null
                then 'dev_data'
        end as usage_source
    from joined

),

usage_values as (

    select
        *,
        case usage_source
            when 'message' then usage_prompt_tokens
            when 'session' then session_prompt_tokens
            when 'dev_data' then event_prompt_tokens
        end as prompt_tokens,
        case usage_source
            when 'message' then usage_completion_tokens
            when 'session' then session_completion_tokens
            when 'dev_data' then event_generated_tokens
        end as completion_tokens,
        case usage_source
            when 'message' then usage_cached_tokens
            when 'session' then session_cached_tokens
        end as cached_tokens,
        case usage_source
            when 'message' then usage_cache_write_tokens
            when 'session' then session_cache_write_tokens
        end as cache_write_tokens_reported,
        case usage_source
            when 'message' then usage_reasoning_tokens
            when 'session' then session_reasoning_tokens
        end as reasoning_tokens_reported,
        case
            when session_total_cost is null or usage_source is null then null
            when usage_source = 'session' then session_total_cost
            when usage_source = 'message' and item_index = last_usage_index then session_total_cost
            else 0.0
        end as reported_cost_value,
        coalesce(interaction_at, reasoning_started_at) as own_at,
        case
            when interaction_at is not null then 'chat_interaction'
            when reasoning_started_at is not null then 'reasoning_start'
        end as own_at_source,
        coalesce(index_created_at, source_mtime, extracted_at) as session_start_at,
        case
            when index_created_at is not null then 'session_created'
            when source_mtime is not null then 'file_mtime'
            else 'extracted_at'
        end as session_start_source
    from usage_chosen

),

timed as (

    select
        *,
        max(own_at) over (
            partition by raw_checksum order by item_index rows between unbounded preceding and current row
        ) as latest_own_at
    from usage_values

),

final as (

    select
        ---------- ids
        platform,
        native_message_id,
        native_session_id,
        previous_native_message_id as native_parent_message_id,
        cast(null as {{ dbt.type_string() }}) as api_response_id,

        ---------- strings
        native_role,
        case
            when native_role in ('assistant', 'thinking')
                then coalesce(
                    chat_model, tokens_model, prompt_log_model, prompt_log_model_title, chat_model_title
                )
        end as model,
        cast(null as {{ dbt.type_string() }}) as user_type,
        workspace_path,
        cast(null as {{ dbt.type_string() }}) as git_branch,
        interaction_app_version as app_version,

        ---------- numerics: OpenAI-style usage made disjoint
        case
            when prompt_tokens is not null
                then {{ uncached_input_tokens('prompt_tokens', 'cached_tokens', 'cache_write_tokens_reported', true) }}
        end as input_tokens,
        completion_tokens as output_tokens,
        cached_tokens as cache_read_tokens,
        {{ cache_write_tokens('cache_write_tokens_reported', 'null', 'null') }} as cache_write_tokens,
        {{ cache_write_5m_tokens('cache_write_tokens_reported', 'null', 'null') }} as cache_write_5m_tokens,
        {{ cache_write_1h_tokens('cache_write_tokens_reported', 'null', 'null') }} as cache_write_1h_tokens,
        reasoning_tokens_reported as reasoning_tokens,
        cast(reported_cost_value as {{ type_double() }}) as reported_cost,
        case
            when reasoning_started_at is not null and reasoning_ended_at >= reasoning_started_at
                then {{ milliseconds_between('reasoning_started_at', 'reasoning_ended_at') }}
        end as duration_ms,

        ---------- booleans
        native_role = 'assistant' as is_final_response_line,
        false as is_sidechain,
        false as is_api_error,
        cast(null as boolean) as is_active_path,

        ---------- timestamps
        case
            when latest_own_at is not null and latest_own_at > session_start_at then latest_own_at
            else session_start_at
        end as occurred_at,
        extracted_at,

        ---------- lineage
        raw_checksum,
        source_uri,
        record_locator,
        item_index + 1 as record_ordinal,
        source_file_version,
        run_id,

        ---------- metadata
        {{ json_object([
            ('history_index', 'item_index'),
            ('message_id', 'message_id_field'),
            ('mode', 'chat_mode'),
            ('chat_model_title', 'chat_model_title'),
            ('prompt_log_model_title', 'prompt_log_model_title'),
            ('prompt_log_model_provider', 'prompt_log_model_provider'),
            ('is_legacy_prompt_log', 'is_legacy_prompt_log'),
            ('context_item_count', 'context_item_count'),
            ('tool_call_count', 'tool_call_count'),
            ('tool_call_id', 'tool_call_id'),
            ('usage_source', 'usage_source'),
            ('prompt_tokens', 'prompt_tokens'),
            ('cost_in_session_total', "usage_source = 'message' and session_total_cost is not null"),
            ('session_total_cost', 'session_total_cost'),
            ('chat_interaction_locator', 'chat_record_locator'),
            ('tokens_generated_locator', 'tokens_record_locator'),
            ('timestamp_is_fallback', 'own_at is null'),
            ('timestamp_source', "case when own_at is not null then own_at_source when latest_own_at is not null and latest_own_at > session_start_at then 'previous_message' else session_start_source end"),
            ('is_gathering_context', 'is_gathering_context'),
        ]) }} as metadata

    from timed

)

select * from final
