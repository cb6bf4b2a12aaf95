{#- One row per GenAI span of the Copilot Chat OpenTelemetry trace exports (OTLP/JSON:
    resourceSpans[].scopeSpans[].spans[], attributes as [{key, value: {stringValue | intValue |
    doubleValue | boolValue | arrayValue}}]). A GenAI span has gen_ai.operation.name invoke_agent,
    chat (or text_completion / generate_content) or execute_tool; other spans are ignored. One row per
    landed copy; `copy_rank` 1 is the copy the messages are built from (the same trace/span id
    landed from several records or runs: the latest extraction wins).

    native_session_id = gen_ai.conversation.id, else the parent span's, else the trace's (when the
    trace names exactly one), else the trace id. `message_span_id` is the span whose assistant message
    carries this span: a chat span itself; an invoke_agent span itself when it has no chat child (Visual
    Studio exports only invoke_agent + execute_tool), else null (its chat spans are the messages); an
    execute_tool span its parent when the parent carries a message, else the latest message span of the
    same trace and conversation that ended by the tool's start (siblings first), else the earliest one.
    `turn_span_id`: the invoke_agent span a chat span belongs to (its parent), itself for agent spans
    and root chat spans. -#}

{%- set attribute_value -%}
    coalesce(
        {{ json_text('attribute.element_json', ['value', 'stringValue']) }},
        {{ json_text('attribute.element_json', ['value', 'intValue']) }},
        {{ json_text('attribute.element_json', ['value', 'doubleValue']) }},
        {{ json_text('attribute.element_json', ['value', 'boolValue']) }},
        {{ json_value('attribute.element_json', ['value', 'arrayValue']) }},
        {{ json_value('attribute.element_json', ['value', 'kvlistValue']) }}
    )
{%- endset -%}

{%- set span_attributes = [
    ('operation_name', 'gen_ai.operation.name'),
    ('conversation_id', 'gen_ai.conversation.id'),
    ('agent_name', 'gen_ai.agent.name'),
    ('agent_id', 'gen_ai.agent.id'),
    ('provider_name', 'gen_ai.provider.name'),
    ('system_name', 'gen_ai.system'),
    ('request_model', 'gen_ai.request.model'),
    ('response_model', 'gen_ai.response.model'),
    ('response_id', 'gen_ai.response.id'),
    ('finish_reasons', 'gen_ai.response.finish_reasons'),
    ('usage_input_tokens', 'gen_ai.usage.input_tokens'),
    ('usage_prompt_tokens', 'gen_ai.usage.prompt_tokens'),
    ('usage_output_tokens', 'gen_ai.usage.output_tokens'),
    ('usage_completion_tokens', 'gen_ai.usage.completion_tokens'),
    ('usage_cache_read_tokens', 'gen_ai.usage.cache_read.input_tokens'),
    ('usage_cache_creation_tokens', 'gen_ai.usage.cache_creation.input_tokens'),
    ('tool_name', 'gen_ai.tool.name'),
    ('tool_call_id', 'gen_ai.tool.call.id'),
    ('tool_type', 'gen_ai.tool.type'),
    ('tool_description', 'gen_ai.tool.description'),
    ('tool_arguments', 'gen_ai.tool.call.arguments'),
    ('tool_result', 'gen_ai.tool.call.result'),
    ('input_messages', 'gen_ai.input.messages'),
    ('output_messages', 'gen_ai.output.messages'),
    ('error_type', 'error.type'),
    ('chat_mode', 'copilot_chat.mode'),
    ('root_request_id', 'copilot_chat.root_request_id'),
    ('turn_count', 'copilot_chat.turn_count'),
    ('entry_point', 'copilot_chat.entry_point'),
    ('initiator_type', 'copilot_chat.initiator_type'),
    ('client_id', 'copilot_chat.client_id'),
    ('time_to_first_token', 'copilot_chat.time_to_first_token'),
] -%}

with

records as (

    select * from {{ ref('stg_copilot_chat__otel_records') }}

),

resources as (

    select
        records.*,
        resource.element_index as resource_index,
        resource.element_json as resource_json
    from records
    cross join lateral {{ json_each_element('records.raw_text', ['resourceSpans'], 'resource') }}

),

resource_attribute_values as (

    select
        resources.source_uri,
        resources.source_file_version,
        resources.record_locator,
        resources.resource_index,
        {{ json_text('attribute.element_json', ['key']) }} as attribute_key,
        {{ attribute_value }} as attribute_value
    from resources
    cross join lateral {{ json_each_element('resources.resource_json', ['resource', 'attributes'], 'attribute') }}

),

resource_attributes as (

    select
        source_uri,
        source_file_version,
        record_locator,
        resource_index,
        max(case when attribute_key = 'service.name' then attribute_value end) as service_name,
        max(case when attribute_key = 'service.version' then attribute_value end) as service_version
    from resource_attribute_values
    group by 1, 2, 3, 4

),

scopes as (

    select
        resources.*,
        scope.element_index as scope_index,
        scope.element_json as scope_json
    from resources
    cross join lateral {{ json_each_element('resources.resource_json', ['scopeSpans'], 'scope') }}

),

spans as (

    select
        scopes.*,
        span.element_index as span_index,
        span.element_json as span_json
    from scopes
    cross join lateral {{ json_each_element('scopes.scope_json', ['spans'], 'span') }}

),

attribute_values as (

    select
        spans.source_uri,
        spans.source_file_version,
        spans.record_locator,
        spans.resource_index,
        spans.scope_index,
        spans.span_index,
        {{ json_text('attribute.element_json', ['key']) }} as attribute_key,
        {{ attribute_value }} as attribute_value
    from spans
    cross join lateral {{ json_each_element('spans.span_json', ['attributes'], 'attribute') }}

),

attributes as (

    select
        source_uri,
        source_file_version,
        record_locator,
        resource_index,
        scope_index,
        span_index,
        {%- for column, key in span_attributes %}
        max(case when attribute_key = '{{ key }}' then attribute_value end) as {{ column }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from attribute_values
    group by 1, 2, 3, 4, 5, 6

),

parsed as (

    select
        spans.raw_checksum,
        spans.platform,
        spans.source_uri,
        spans.record_locator,
        spans.record_ordinal,
        spans.source_file_version,
        spans.extracted_at,
        spans.run_id,
        spans.resource_index,
        spans.scope_index,
        spans.span_index,
        resource_attributes.service_name,
        resource_attributes.service_version,
        {{ json_text('spans.scope_json', ['scope', 'name']) }} as scope_name,
        lower({{ json_text('spans.span_json', ['traceId']) }}) as trace_id,
        lower({{ json_text('spans.span_json', ['spanId']) }}) as span_id,
        nullif(lower({{ json_text('spans.span_json', ['parentSpanId']) }}), '') as parent_span_id,
        {{ json_text('spans.span_json', ['name']) }} as span_name,
        trim({{ json_text('spans.span_json', ['startTimeUnixNano']) }}) as start_unix_nano,
        trim({{ json_text('spans.span_json', ['endTimeUnixNano']) }}) as end_unix_nano,
        {{ json_text('spans.span_json', ['status', 'code']) }} as status_code,
        {{ json_text('spans.span_json', ['status', 'message']) }} as status_message,
        case
            when attributes.operation_name in ('chat', 'text_completion', 'generate_content') then 'chat'
            else attributes.operation_name
        end as span_type,
        {% for column, key in span_attributes %}attributes.{{ column }}{% if not loop.last %},
        {% endif %}{% endfor %}
    from spans
    inner join attributes
        on
            spans.source_uri = attributes.source_uri
            and spans.source_file_version = attributes.source_file_version
            and spans.record_locator = attributes.record_locator
            and spans.resource_index = attributes.resource_index
            and spans.scope_index = attributes.scope_index
            and spans.span_index = attributes.span_index
    left join resource_attributes
        on
            spans.source_uri = resource_attributes.source_uri
            and spans.source_file_version = resource_attributes.source_file_version
            and spans.record_locator = resource_attributes.record_locator
            and spans.resource_index = resource_attributes.resource_index
    where
        attributes.operation_name in ('invoke_agent', 'chat', 'text_completion', 'generate_content', 'execute_tool')
        and {{ json_text('spans.span_json', ['spanId']) }} is not null

),

typed as (

    select
        *,
        -- nanoseconds -> milliseconds on the digits (a bigint cast through double loses the last ones)
        case
            when {{ regex_full_match('start_unix_nano', '[0-9]{7,19}') }}
                then {{ try_cast_bigint('substr(start_unix_nano, 1, length(start_unix_nano) - 6)') }}
        end as start_unix_ms,
        case
            when {{ regex_full_match('end_unix_nano', '[0-9]{7,19}') }}
                then {{ try_cast_bigint('substr(end_unix_nano, 1, length(end_unix_nano) - 6)') }}
        end as end_unix_ms,
        {{ try_cast_bigint('coalesce(usage_input_tokens, usage_prompt_tokens)') }} as input_tokens,
        {{ try_cast_bigint('coalesce(usage_output_tokens, usage_completion_tokens)') }} as output_tokens,
        {{ try_cast_bigint('usage_cache_read_tokens') }} as cache_read_tokens,
        {{ try_cast_bigint('usage_cache_creation_tokens') }} as cache_write_tokens,
        coalesce(status_code in ('2', 'STATUS_CODE_ERROR') or error_type is not null, false) as is_error,
        row_number() over (
            partition by trace_id, span_id
            order by extracted_at desc, source_file_version desc, source_uri asc, record_ordinal desc
        ) as copy_rank
    from parsed

),

kept as (

    select * from typed
    where copy_rank = 1

),

conversations as (

    select
        kept.trace_id,
        kept.span_id,
        coalesce(
            kept.conversation_id,
            parent.conversation_id,
            case
                when
                    min(kept.conversation_id) over (partition by kept.trace_id)
                    = max(kept.conversation_id) over (partition by kept.trace_id)
                    then max(kept.conversation_id) over (partition by kept.trace_id)
            end,
            kept.trace_id
        ) as native_session_id,
        parent.span_type as parent_span_type
    from kept
    left join kept as parent
        on
            kept.trace_id = parent.trace_id
            and kept.parent_span_id = parent.span_id

),

chat_children as (

    select
        trace_id,
        parent_span_id as span_id,
        count(*) as chat_child_count
    from kept
    where span_type = 'chat' and parent_span_id is not null
    group by 1, 2

),

shaped as (

    select
        kept.*,
        conversations.native_session_id,
        conversations.parent_span_type,
        coalesce(chat_children.chat_child_count, 0) as chat_child_count,
        coalesce(
            kept.span_type = 'chat'
            or (kept.span_type = 'invoke_agent' and chat_children.chat_child_count is null),
            false
        ) as is_message_span,
        case
            when kept.span_type = 'invoke_agent' then kept.span_id
            when kept.span_type = 'chat' and conversations.parent_span_type = 'invoke_agent' then kept.parent_span_id
            when kept.span_type = 'chat' and kept.parent_span_id is null then kept.span_id
        end as turn_span_id
    from kept
    inner join conversations
        on
            kept.trace_id = conversations.trace_id
            and kept.span_id = conversations.span_id
    left join chat_children
        on
            kept.trace_id = chat_children.trace_id
            and kept.span_id = chat_children.span_id

),

tool_carriers as (

    select
        tools.trace_id,
        tools.span_id,
        carriers.span_id as carrier_span_id,
        row_number() over (
            partition by tools.trace_id, tools.span_id
            order by
                case
                    when carriers.span_id = tools.parent_span_id then 0
                    when
                        carriers.parent_span_id = tools.parent_span_id
                        and carriers.end_unix_ms <= tools.start_unix_ms
                        then 1
                    when carriers.end_unix_ms <= tools.start_unix_ms then 2
                    else 3
                end,
                case when carriers.end_unix_ms <= tools.start_unix_ms then carriers.end_unix_ms end desc nulls last,
                carriers.start_unix_ms asc,
                carriers.span_id asc
        ) as carrier_rank
    from shaped as tools
    inner join shaped as carriers
        on
            tools.trace_id = carriers.trace_id
            and tools.native_session_id = carriers.native_session_id
            and carriers.is_message_span
    where tools.span_type = 'execute_tool'

),

prompt_sources as (

    select
        turns.trace_id,
        turns.span_id,
        coalesce(turns.input_messages, chats.input_messages) as prompt_messages,
        row_number() over (
            partition by turns.trace_id, turns.span_id
            order by chats.start_unix_ms asc, chats.span_id asc
        ) as source_rank
    from shaped as turns
    left join shaped as chats
        on
            turns.trace_id = chats.trace_id
            and turns.span_id = chats.turn_span_id
            and turns.span_id != chats.span_id
            and chats.input_messages is not null
    where turns.turn_span_id = turns.span_id

),

valid_prompt_sources as (

    select
        trace_id,
        span_id,
        case when {{ json_is_valid('prompt_messages') }} then prompt_messages end as prompt_messages
    from prompt_sources
    where source_rank = 1 and prompt_messages is not null

),

user_prompts as (

    select
        valid_prompt_sources.trace_id,
        valid_prompt_sources.span_id,
        nullif(trim(coalesce(
            {{ json_array_join_key('message.element_json', ['parts'], 'content', "'\n'") }},
            case
                when {{ json_type('message.element_json', ['content']) }} = 'string'
                    then {{ json_text('message.element_json', ['content']) }}
            end,
            {{ json_array_join_key('message.element_json', ['content'], 'text', "'\n'") }}
        )), '') as prompt_text,
        row_number() over (
            partition by valid_prompt_sources.trace_id, valid_prompt_sources.span_id
            order by message.element_index desc
        ) as prompt_rank
    from valid_prompt_sources
    cross join lateral {{ json_each_element('valid_prompt_sources.prompt_messages', [], 'message') }}
    where {{ json_text('message.element_json', ['role']) }} = 'user'

),

final as (

    select
        shaped.*,
        user_prompts.prompt_text,
        case
            when shaped.is_message_span then shaped.span_id
            when shaped.span_type = 'execute_tool' then tool_carriers.carrier_span_id
        end as message_span_id
    from shaped
    left join tool_carriers
        on
            shaped.trace_id = tool_carriers.trace_id
            and shaped.span_id = tool_carriers.span_id
            and tool_carriers.carrier_rank = 1
    left join user_prompts
        on
            shaped.trace_id = user_prompts.trace_id
            and shaped.span_id = user_prompts.span_id
            and user_prompts.prompt_rank = 1

)

select
    ---------- lineage (of the kept copy)
    typed.raw_checksum,
    typed.platform,
    typed.source_uri,
    typed.record_locator,
    typed.record_ordinal,
    typed.source_file_version,
    typed.extracted_at,
    typed.run_id,
    typed.resource_index,
    typed.scope_index,
    typed.span_index,
    typed.copy_rank,

    ---------- the span
    typed.trace_id,
    typed.span_id,
    typed.parent_span_id,
    typed.span_name,
    typed.span_type,
    typed.operation_name,
    final.native_session_id,
    typed.conversation_id,
    final.message_span_id,
    final.turn_span_id,
    final.chat_child_count,
    final.is_message_span,
    typed.service_name,
    typed.service_version,
    typed.scope_name,
    typed.agent_name,
    typed.agent_id,
    coalesce(typed.provider_name, typed.system_name) as provider_name,
    typed.request_model,
    typed.response_model,
    typed.response_id,
    typed.finish_reasons,
    typed.input_tokens,
    typed.output_tokens,
    typed.cache_read_tokens,
    typed.cache_write_tokens,
    typed.start_unix_ms,
    typed.end_unix_ms,
    case when typed.end_unix_ms >= typed.start_unix_ms then typed.end_unix_ms - typed.start_unix_ms end
        as duration_ms,
    {{ to_utc_timestamp('typed.start_unix_ms') }} as started_at,
    {{ to_utc_timestamp('typed.end_unix_ms') }} as ended_at,
    typed.status_code,
    typed.status_message,
    typed.error_type,
    typed.is_error,
    typed.tool_name,
    typed.tool_call_id,
    typed.tool_type,
    typed.tool_description,
    typed.tool_arguments,
    typed.tool_result,
    typed.input_messages,
    typed.output_messages,
    final.prompt_text,
    typed.chat_mode,
    typed.root_request_id,
    {{ try_cast_bigint('typed.turn_count') }} as turn_count,
    typed.entry_point,
    typed.initiator_type,
    typed.client_id,
    {{ try_cast_bigint('typed.time_to_first_token') }} as time_to_first_token_ms
from typed
left join final
    on
        typed.trace_id = final.trace_id
        and typed.span_id = final.span_id
