{#- The messages of the Copilot Chat OpenTelemetry trace exports, in the columns of the
    stg_copilot_chat__messages contract (which unions them in). From the kept copy of each GenAI span
    (stg_copilot_chat__otel_spans):
    - a user message `<conversation>:<turn span id>:user` per turn (invoke_agent span, or a root chat
      span) whose prompt was captured (the last user entry of gen_ai.input.messages); none is invented
      when content capture was off;
    - an assistant message `<conversation>:<span id>` per message span (a chat span; an invoke_agent
      span without chat children): model = response model, else request model; tokens from
      gen_ai.usage.* (OpenAI semantics: input_tokens includes cache reads and writes, so the
      uncached input is input − cache read − cache write); occurred_at = the span's end,
      duration_ms = end − start, api error = status code 2 or error.type.
    Parent = the previous message of the conversation in time (a flat list, like the session
    replay). -#}

with

spans as (

    select * from {{ ref('stg_copilot_chat__otel_spans') }}
    where copy_rank = 1

),

user_messages as (

    select
        platform,
        native_session_id || ':' || span_id || ':user' as native_message_id,
        native_session_id,
        cast(null as {{ dbt.type_string() }}) as api_response_id,
        'user' as native_role,
        cast(null as {{ dbt.type_string() }}) as model,
        cast(null as {{ dbt.type_bigint() }}) as input_tokens,
        cast(null as {{ dbt.type_bigint() }}) as output_tokens,
        cast(null as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(null as {{ dbt.type_bigint() }}) as cache_write_tokens,
        cast(null as {{ dbt.type_bigint() }}) as duration_ms,
        false as is_final_response_line,
        false as is_api_error,
        started_at as occurred_at,
        start_unix_ms as sort_ms,
        0 as sort_role,
        {{ json_object([
            ('source', "'otel'"),
            ('trace_id', 'trace_id'),
            ('span_id', 'span_id'),
            ('root_request_id', 'root_request_id'),
            ('mode', 'chat_mode'),
            ('entry_point', 'entry_point'),
            ('initiator_type', 'initiator_type'),
        ]) }} as metadata,
        service_version,
        extracted_at,
        raw_checksum,
        source_uri,
        record_locator,
        record_ordinal,
        source_file_version,
        run_id
    from spans
    where turn_span_id = span_id and prompt_text is not null

),

assistant_messages as (

    select
        platform,
        native_session_id || ':' || span_id as native_message_id,
        native_session_id,
        span_id as api_response_id,
        'assistant' as native_role,
        coalesce(response_model, request_model) as model,
        case
            when input_tokens is not null
                then {{ uncached_input_tokens('input_tokens', 'cache_read_tokens', 'cache_write_tokens', true) }}
        end as input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_write_tokens,
        duration_ms,
        true as is_final_response_line,
        is_error as is_api_error,
        ended_at as occurred_at,
        end_unix_ms as sort_ms,
        1 as sort_role,
        {{ json_object([
            ('source', "'otel'"),
            ('trace_id', 'trace_id'),
            ('span_id', 'span_id'),
            ('parent_span_id', 'parent_span_id'),
            ('span_name', 'span_name'),
            ('operation_name', 'operation_name'),
            ('agent_name', 'agent_name'),
            ('provider_name', 'provider_name'),
            ('request_model', 'request_model'),
            ('response_model', 'response_model'),
            ('response_id', 'response_id'),
            ('finish_reasons', 'finish_reasons'),
            ('usage_input_tokens', 'input_tokens'),
            ('usage_output_tokens', 'output_tokens'),
            ('usage_cache_read_input_tokens', 'cache_read_tokens'),
            ('usage_cache_creation_input_tokens', 'cache_write_tokens'),
            ('time_to_first_token_ms', 'time_to_first_token_ms'),
            ('status_code', 'status_code'),
            ('status_message', 'status_message'),
            ('error_type', 'error_type'),
            ('root_request_id', 'root_request_id'),
            ('mode', 'chat_mode'),
            ('turn_count', 'turn_count'),
            ('entry_point', 'entry_point'),
            ('initiator_type', 'initiator_type'),
            ('client_id', 'client_id'),
            ('service_name', 'service_name'),
        ]) }} as metadata,
        service_version,
        extracted_at,
        raw_checksum,
        source_uri,
        record_locator,
        record_ordinal,
        source_file_version,
        run_id
    from spans
    where is_message_span

),

unioned as (

    select * from user_messages
    union all
    select * from assistant_messages

)

select
    platform,
    native_message_id,
    native_session_id,
    lag(native_message_id) over (
        partition by native_session_id
        order by sort_ms asc nulls last, sort_role asc, native_message_id asc
    ) as native_parent_message_id,
    api_response_id,
    native_role,
    model,
    cast(null as {{ dbt.type_string() }}) as user_type,
    cast(null as {{ dbt.type_string() }}) as workspace_path,
    cast(null as {{ dbt.type_string() }}) as git_branch,
    service_version as app_version,
    input_tokens,
    output_tokens,
    cache_read_tokens,
    cache_write_tokens,
    {{ cache_write_5m_tokens('cache_write_tokens', 'null', 'null') }} as cache_write_5m_tokens,
    {{ cache_write_1h_tokens('cache_write_tokens', 'null', 'null') }} as cache_write_1h_tokens,
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
    record_ordinal,
    source_file_version,
    run_id,
    metadata
from unioned
