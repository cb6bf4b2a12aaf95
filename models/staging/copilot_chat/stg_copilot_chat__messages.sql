{#- One row per Copilot Chat message: each request becomes a user message (its `message.text`) and
    an assistant message (its response). Ids `<sessionId>:<requestId>:user|assistant`; the
    assistant message's parent is its user message, a user message's parent the previous
    request's assistant message. Tokens (newer builds) are OpenAI-style: `promptTokens` includes
    cached tokens and no cache split is given, so input = prompt tokens and the cache columns are
    null; `copilotCredits` are not USD and stay in metadata. The messages of the OpenTelemetry trace
    exports (stg_copilot_chat__otel_messages) are unioned in at the end. -#}

with

requests as (

    select
        *,
        lag(request_id) over (partition by source_uri order by request_index) as previous_request_id
    from {{ ref('stg_copilot_chat__requests') }}

),

user_messages as (

    select
        platform,
        native_session_id || ':' || request_id || ':user' as native_message_id,
        native_session_id,
        case
            when previous_request_id is not null
                then native_session_id || ':' || previous_request_id || ':assistant'
        end as native_parent_message_id,
        cast(null as {{ dbt.type_string() }}) as api_response_id,
        'user' as native_role,
        cast(null as {{ dbt.type_string() }}) as model,
        cast(null as {{ dbt.type_bigint() }}) as input_tokens,
        cast(null as {{ dbt.type_bigint() }}) as output_tokens,
        cast(null as {{ dbt.type_bigint() }}) as duration_ms,
        false as is_final_response_line,
        false as is_api_error,
        requested_at as occurred_at,
        {{ json_object([
            ('request_index', 'request_index'),
            ('request_id', 'request_id'),
            ('agent_id', 'agent_id'),
            ('mode', 'chat_mode'),
            ('slash_command', 'slash_command'),
            ('attached_variable_count', 'attached_variable_count'),
            ('is_hidden', 'is_hidden'),
            ('should_be_removed_on_send', 'should_be_removed_on_send'),
        ]) }} as metadata,
        workspace_path,
        extension_version,
        extracted_at,
        raw_checksum,
        source_uri,
        record_locator,
        writer_ordinal,
        source_file_version,
        run_id
    from requests

),

assistant_messages as (

    select
        platform,
        native_session_id || ':' || request_id || ':assistant' as native_message_id,
        native_session_id,
        native_session_id || ':' || request_id || ':user' as native_parent_message_id,
        request_id as api_response_id,
        'assistant' as native_role,
        model_id as model,
        prompt_tokens as input_tokens,
        completion_tokens as output_tokens,
        coalesce(
            total_elapsed_ms,
            elapsed_ms,
            case when completed_at_ms >= timestamp_ms then completed_at_ms - timestamp_ms end
        ) as duration_ms,
        true as is_final_response_line,
        is_failed as is_api_error,
        case
            when timestamp_ms is not null and first_progress_ms is not null
                then {{ to_utc_timestamp('timestamp_ms + first_progress_ms') }}
            else requested_at
        end as occurred_at,
        {{ json_object([
            ('request_index', 'request_index'),
            ('request_id', 'request_id'),
            ('response_id', 'response_id'),
            ('agent_id', 'agent_id'),
            ('mode', 'chat_mode'),
            ('first_progress_ms', 'first_progress_ms'),
            ('total_elapsed_ms', 'total_elapsed_ms'),
            ('elapsed_ms', 'elapsed_ms'),
            ('completed_at_ms', 'completed_at_ms'),
            ('model_state', 'model_state'),
            ('is_canceled', 'is_canceled'),
            ('is_failed', 'is_failed'),
            ('error_details', 'error_details_json'),
            ('prompt_tokens', 'prompt_tokens'),
            ('completion_tokens', 'completion_tokens'),
            ('copilot_credits', 'copilot_credits'),
            ('vote', 'vote'),
        ], json_keys=['error_details']) }} as metadata,
        workspace_path,
        extension_version,
        extracted_at,
        raw_checksum,
        source_uri,
        record_locator,
        writer_ordinal,
        source_file_version,
        run_id
    from requests

),

unioned as (

    select
        platform,
        native_message_id,
        native_session_id,
        native_parent_message_id,
        api_response_id,
        native_role,
        model,
        input_tokens,
        output_tokens,
        duration_ms,
        is_final_response_line,
        is_api_error,
        occurred_at,
        metadata,
        workspace_path,
        extension_version,
        extracted_at,
        raw_checksum,
        source_uri,
        record_locator,
        writer_ordinal,
        source_file_version,
        run_id
    from user_messages

    union all

    select
        platform,
        native_message_id,
        native_session_id,
        native_parent_message_id,
        api_response_id,
        native_role,
        model,
        input_tokens,
        output_tokens,
        duration_ms,
        is_final_response_line,
        is_api_error,
        occurred_at,
        metadata,
        workspace_path,
        extension_version,
        extracted_at,
        raw_checksum,
        source_uri,
        record_locator,
        writer_ordinal,
        source_file_version,
        run_id
    from assistant_messages

)

select
    platform,
    native_message_id,
    native_session_id,
    native_parent_message_id,
    api_response_id,
    native_role,
    model,
    cast(null as {{ dbt.type_string() }}) as user_type,
    workspace_path,
    cast(null as {{ dbt.type_string() }}) as git_branch,
    extension_version as app_version,
    -- OpenAI semantics: prompt tokens include cached ones; Copilot gives no cache split
    case
        when input_tokens is not null
            then {{ uncached_input_tokens('input_tokens', 'null', 'null', true) }}
    end as input_tokens,
    output_tokens,
    cast(null as {{ dbt.type_bigint() }}) as cache_read_tokens,
    cast(null as {{ dbt.type_bigint() }}) as cache_write_tokens,
    cast(null as {{ dbt.type_bigint() }}) as cache_write_5m_tokens,
    cast(null as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
    cast(null as {{ dbt.type_bigint() }}) as reasoning_tokens,
    cast(null as {{ type_double() }}) as reported_cost,
    duration_ms,
    is_final_response_line,
    false as is_sidechain,
    is_api_error,
    cast(null as boolean) as is_active_path,
    occurred_at,
    extracted_at,
    raw_checksum,
    source_uri,
    record_locator,
    writer_ordinal as record_ordinal,
    source_file_version,
    run_id,
    metadata
from unioned

union all

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
from {{ ref('stg_copilot_chat__otel_messages') }}
