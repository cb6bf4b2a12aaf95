{#- One row per message of the rebuilt conversations, in the unified message columns:
    - the NEW request messages of each call (those past the `inherited_message_count` messages
      that repeat the previous turn's history and answer, stg_openai_api__call_threads); a first
      turn's messages are all new;
    - its answer: each choice of the chat.completion, or one error message (`is_api_error`) when
      the call failed (a content filter, a batch line's error).
    Ids: `<call_key>/messages[<i>]`, `<call_key>/choices[<i>]`, `<call_key>/error` (call_key is
    unique across files). A message's parent is the one before it in the history; a turn's first
    new message follows the previous turn's answer (parent_answer_native_message_id of
    stg_openai_api__call_threads).
    Tokens sit on the answer (choice 0) and are normalized from OpenAI semantics: prompt_tokens
    include cached_tokens (input_tokens = prompt_tokens - cached_tokens, cache_read_tokens =
    cached_tokens, no cache writes), completion_tokens include reasoning_tokens (output_tokens =
    completion_tokens, reasoning_tokens a part of it); null when the log has no usage.
    Time: the API records one time per call (`call_at`), not per message; each message is placed
    at call_at + its position in the history in microseconds, so that a conversation sorts in its
    real order (metadata.timestamp_source says where call_at came from). -#}

with

calls as (

    select * from {{ ref('stg_openai_api__calls') }}
    where
        copy_rank = 1
        and unusable_reason is null

),

threads as (

    select * from {{ ref('stg_openai_api__call_threads') }}

),

call_messages as (

    select * from {{ ref('stg_openai_api__call_messages') }}

),

new_messages as (

    select
        call_messages.*,
        threads.native_session_id,
        threads.parent_call_key,
        threads.parent_answer_native_message_id,
        threads.inherited_message_count,
        threads.root_call_key,
        threads.call_at,
        threads.call_at_source,
        case
            when call_messages.message_index > threads.inherited_message_count
                then
                    call_messages.call_key || '/messages['
                    || cast(call_messages.message_index - 1 as {{ dbt.type_string() }}) || ']'
            when call_messages.message_index = threads.inherited_message_count
                then threads.parent_answer_native_message_id
        end as native_parent_message_id
    from call_messages
    inner join threads
        on call_messages.call_key = threads.call_key
    where
        call_messages.is_answer
        or call_messages.message_index >= threads.inherited_message_count

),

renamed as (

    select
        ---------- ids
        'openai_api' as platform,
        new_messages.native_message_id,
        new_messages.native_session_id,
        new_messages.native_parent_message_id,
        case
            when new_messages.is_answer then coalesce(calls.response_id, calls.call_key)
        end as api_response_id,

        ---------- strings
        case when new_messages.is_answer then 'assistant' else new_messages.role end as native_role,
        case
            when new_messages.is_answer then coalesce(calls.response_model, calls.requested_model)
        end as model,
        cast(null as {{ dbt.type_string() }}) as user_type,
        cast(null as {{ dbt.type_string() }}) as workspace_path,
        cast(null as {{ dbt.type_string() }}) as git_branch,
        calls.api_version as app_version,

        ---------- numerics: usage on the first choice of a chat.completion
        case
            when new_messages.choice_index = 0 and calls.prompt_tokens is not null
                then {{ uncached_input_tokens('calls.prompt_tokens', 'calls.cached_tokens', 'null', true) }}
        end as input_tokens,
        case when new_messages.choice_index = 0 then calls.completion_tokens end as output_tokens,
        case when new_messages.choice_index = 0 then calls.cached_tokens end as cache_read_tokens,
        cast(null as {{ dbt.type_bigint() }}) as cache_write_tokens,
        cast(null as {{ dbt.type_bigint() }}) as cache_write_5m_tokens,
        cast(null as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
        case when new_messages.choice_index = 0 then calls.reasoning_tokens end as reasoning_tokens,
        cast(null as {{ type_double() }}) as reported_cost,
        case when new_messages.is_answer then calls.duration_ms end as duration_ms,

        ---------- booleans
        new_messages.is_answer and coalesce(new_messages.choice_index, 0) = 0 as is_final_response_line,
        false as is_sidechain,
        new_messages.is_error as is_api_error,
        cast(null as boolean) as is_active_path,

        ---------- timestamps
        {{ dbt.dateadd('microsecond', 'new_messages.message_index', 'new_messages.call_at') }} as occurred_at,
        case
            when new_messages.is_answer then coalesce(calls.response_extracted_at, calls.request_extracted_at)
            else calls.request_extracted_at
        end as extracted_at,

        ---------- lineage: the raw record the message was read from
        case
            when new_messages.is_answer then coalesce(calls.response_raw_checksum, calls.request_raw_checksum)
            else calls.request_raw_checksum
        end as raw_checksum,
        case
            when new_messages.is_answer then coalesce(calls.response_source_uri, calls.request_source_uri)
            else calls.request_source_uri
        end as source_uri,
        case
            when new_messages.is_answer
                then coalesce(calls.response_record_locator, calls.request_record_locator)
            else calls.request_record_locator
        end as record_locator,
        case
            when new_messages.is_answer
                then coalesce(calls.response_record_ordinal, calls.request_record_ordinal)
            else calls.request_record_ordinal
        end as record_ordinal,
        case
            when new_messages.is_answer
                then coalesce(calls.response_source_file_version, calls.request_source_file_version)
            else calls.request_source_file_version
        end as source_file_version,
        case
            when new_messages.is_answer then coalesce(calls.response_run_id, calls.request_run_id)
            else calls.request_run_id
        end as run_id,

        ---------- metadata
        {{ json_object([
            ('call_source', 'calls.call_source'),
            ('call_key', 'calls.call_key'),
            ('message_index', 'new_messages.message_index'),
            ('choice_index', 'new_messages.choice_index'),
            ('name', 'new_messages.author_name'),
            ('finish_reason', 'new_messages.finish_reason'),
            ('refusal', 'new_messages.refusal'),
            ('custom_id', 'calls.custom_id'),
            ('batch_request_id', 'calls.batch_request_id'),
            ('request_id', 'calls.request_id'),
            ('status_code', 'calls.status_code'),
            ('requested_model', 'calls.requested_model'),
            ('system_fingerprint', 'calls.system_fingerprint'),
            ('service_tier', 'calls.service_tier'),
            ('end_user', 'calls.end_user'),
            ('conversation_key', 'calls.conversation_key'),
            ('parent_call_key', 'new_messages.parent_call_key'),
            ('root_call_key', 'new_messages.root_call_key'),
            ('inherited_message_count', 'new_messages.inherited_message_count'),
            ('timestamp_source', 'new_messages.call_at_source'),
        ]) }} as metadata

    from new_messages
    inner join calls
        on new_messages.call_key = calls.call_key

),

final as (

    select
        platform,
        native_message_id,
        native_session_id,
        native_parent_message_id,
        api_response_id,
        native_role,
        model,
        user_type,
        workspace_path,
        git_branch,
        app_version,
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        reasoning_tokens,
        reported_cost,
        duration_ms,
        is_final_response_line,
        is_sidechain,
        is_api_error,
        is_active_path,
        occurred_at,
        extracted_at,
        raw_checksum,
        source_uri,
        record_locator,
        record_ordinal,
        source_file_version,
        run_id,
        metadata
    from renamed

)

select * from final
