{#- The content blocks of the Copilot Chat OpenTelemetry messages (stg_copilot_chat__otel_messages),
    in the columns of the stg_copilot_chat__content_blocks contract (which unions them in):
    - a user message: one text block, the captured prompt;
    - an assistant message: its span's gen_ai.output.messages parts (`text` -> text, `reasoning` ->
      thinking; a legacy string `content` -> text), then, in start order, a tool_use + tool_result
      pair per execute_tool span it carries (stg_copilot_chat__otel_spans.message_span_id): tool name
      gen_ai.tool.name, input gen_ai.tool.call.arguments, output gen_ai.tool.call.result, is_error
      from status code 2 / error.type. Tool-use ids are `<conversation>:<gen_ai.tool.call.id>` (the
      span id when there is none), since tool call ids are only unique within a conversation.
    Blocks carry the lineage of their message's record (the message span's), so a tool span landed in
    another record still joins its message. Output parts come before the tools of the same message
    when the message is a chat span (the tools it requested run after it), after them otherwise. -#}

with

spans as (

    select * from {{ ref('stg_copilot_chat__otel_spans') }}
    where copy_rank = 1

),

message_spans as (

    select
        *,
        case when {{ json_is_valid('output_messages') }} then output_messages end as valid_output_messages
    from spans
    where is_message_span

),

user_blocks as (

    select
        native_session_id || ':' || span_id || ':user' as native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        0 as sort_group,
        cast(0 as {{ dbt.type_bigint() }}) as sort_key,
        cast(0 as {{ dbt.type_bigint() }}) as sub_index,
        'text' as block_type,
        'gen_ai.input.messages' as native_block_type,
        prompt_text as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        {{ content_block('text', {'text': 'prompt_text'}) }} as block_json
    from spans
    where turn_span_id = span_id and prompt_text is not null

),

output_messages as (

    select
        message_spans.*,
        output_message.element_index as output_index,
        output_message.element_json as output_message_json
    from message_spans
    cross join lateral {{ json_each_element('message_spans.valid_output_messages', [], 'output_message') }}

),

output_parts as (

    select
        output_messages.native_session_id,
        output_messages.span_id,
        output_messages.span_type,
        output_messages.run_id,
        output_messages.raw_checksum,
        output_messages.source_uri,
        output_messages.record_locator,
        output_messages.output_index,
        part.element_index as part_index,
        {{ json_text('part.element_json', ['type']) }} as part_type,
        {{ json_text('part.element_json', ['content']) }} as part_text
    from output_messages
    cross join lateral {{ json_each_element('output_messages.output_message_json', ['parts'], 'part') }}

    union all

    select
        native_session_id,
        span_id,
        span_type,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        output_index,
        0 as part_index,
        'text' as part_type,
        {{ json_text('output_message_json', ['content']) }} as part_text
    from output_messages
    where {{ json_type('output_message_json', ['content']) }} = 'string'

),

output_blocks as (

    select
        native_session_id || ':' || span_id as native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        case when span_type = 'chat' then 0 else 2 end as sort_group,
        cast(output_index * 1000 + part_index as {{ dbt.type_bigint() }}) as sort_key,
        cast(0 as {{ dbt.type_bigint() }}) as sub_index,
        case when part_type = 'reasoning' then 'thinking' else 'text' end as block_type,
        part_type as native_block_type,
        part_text as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        case
            when part_type = 'reasoning' then {{ content_block(
                'thinking', {'thinking': 'part_text'}, extra=[('redacted', 'false')]
            ) }}
            else {{ content_block('text', {'text': 'part_text'}) }}
        end as block_json
    from output_parts
    where part_type in ('text', 'reasoning') and part_text is not null

),

tools as (

    select
        carriers.native_session_id || ':' || carriers.span_id as native_message_id,
        carriers.run_id,
        carriers.raw_checksum,
        carriers.source_uri,
        carriers.record_locator,
        tools.start_unix_ms,
        tools.span_id,
        tools.native_session_id || ':' || coalesce(tools.tool_call_id, tools.span_id) as tool_use_id,
        tools.tool_call_id,
        coalesce(tools.tool_name, tools.span_name) as tool_name,
        case
            when tools.tool_arguments is null then null
            when {{ json_is_valid('tools.tool_arguments') }} then tools.tool_arguments
            else {{ json_object([('arguments', 'tools.tool_arguments')]) }}
        end as tool_input_json,
        coalesce(
            tools.tool_result,
            case when tools.is_error then coalesce(tools.status_message, tools.error_type) end
        ) as result_text,
        tools.is_error,
        tools.duration_ms,
        tools.tool_type,
        tools.tool_description
    from spans as tools
    inner join spans as carriers
        on
            tools.trace_id = carriers.trace_id
            and tools.message_span_id = carriers.span_id
    where tools.span_type = 'execute_tool'

),

tool_blocks as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        1 as sort_group,
        start_unix_ms as sort_key,
        cast(0 as {{ dbt.type_bigint() }}) as sub_index,
        'tool_use' as block_type,
        'execute_tool' as native_block_type,
        cast(null as {{ dbt.type_string() }}) as block_text,
        tool_use_id,
        tool_name,
        tool_input_json,
        cast(null as boolean) as is_error,
        {{ content_block(
            'tool_use',
            {'id': 'tool_use_id', 'name': 'tool_name', 'input': 'tool_input_json'},
            extra=[
                ('native_call_id', 'tool_call_id'),
                ('tool_type', 'tool_type'),
                ('description', 'tool_description'),
                ('span_id', 'span_id'),
            ]
        ) }} as block_json
    from tools

    union all

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        1 as sort_group,
        start_unix_ms as sort_key,
        cast(1 as {{ dbt.type_bigint() }}) as sub_index,
        'tool_result' as block_type,
        'execute_tool' as native_block_type,
        result_text as block_text,
        tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        is_error,
        {{ content_block(
            'tool_result',
            {'tool_use_id': 'tool_use_id', 'content': 'result_text', 'is_error': 'is_error'},
            extra=[('duration_ms', 'duration_ms')]
        ) }} as block_json
    from tools

),

unioned as (

    select * from user_blocks
    union all
    select * from output_blocks
    union all
    select * from tool_blocks

)

select
    'copilot_chat' as platform,
    native_message_id,
    run_id,
    raw_checksum,
    source_uri,
    record_locator,
    cast(row_number() over (
        partition by native_message_id, source_uri
        order by sort_group, sort_key, sub_index, tool_use_id
    ) - 1 as {{ dbt.type_bigint() }}) as block_index,
    block_type,
    native_block_type,
    block_text,
    tool_use_id,
    tool_name,
    tool_input_json,
    is_error,
    block_json
from unioned
