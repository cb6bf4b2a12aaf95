{#- One row per content block of a Copilot Chat message. A user message has one text block (the
    request's `message.text`). An assistant message has one block per final response part, in
    order: markdown (`{value}` without a kind, or `markdownContent`) -> text, `thinking` ->
    thinking, `toolInvocationSerialized` -> a tool_use block followed by its tool_result
    (is_error from `resultDetails.isError`, or true when the invocation never completed),
    `inlineReference` / `codeblockUri` / `textEditGroup` -> file_reference with the URI's path,
    anything else -> unknown (the original part kept). Code stays inside the markdown text. The
    blocks of the OpenTelemetry trace exports (stg_copilot_chat__otel_content_blocks) are unioned in
    at the end. -#}

with

requests as (

    select * from {{ ref('stg_copilot_chat__requests') }}

),

parts as (

    select * from {{ ref('stg_copilot_chat__response_parts') }}

),

user_blocks as (

    select
        native_session_id || ':' || request_id || ':user' as native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        0 as part_index,
        0 as sub_index,
        'text' as block_type,
        'message' as native_block_type,
        message_text as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        {{ content_block('text', {'text': 'message_text'}) }} as block_json
    from requests
    where message_text is not null

),

typed_parts as (

    select
        native_session_id || ':' || request_id || ':assistant' as native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        part_index,
        part_json,
        case
            when part_json_type = 'string' then 'markdown'
            when part_json_type = 'object' then coalesce(part_kind, 'markdown')
            else 'unknown'
        end as native_block_type,
        case
            when part_json_type = 'string' then {{ json_text('part_json', []) }}
            when part_kind = 'markdownContent' then {{ json_text('part_json', ['content', 'value']) }}
            when part_kind is null then {{ json_text('part_json', ['value']) }}
        end as markdown_text,
        coalesce(
            {{ json_text('part_json', ['inlineReference', 'path']) }},
            {{ json_text('part_json', ['inlineReference', 'uri', 'path']) }},
            {{ json_text('part_json', ['uri', 'path']) }},
            {{ json_text('part_json', ['uri']) }}
        ) as reference_path,
        coalesce(
            {{ json_text('part_json', ['invocationMessage', 'value']) }},
            case
                when {{ json_type('part_json', ['invocationMessage']) }} = 'string'
                    then {{ json_text('part_json', ['invocationMessage']) }}
            end
        ) as invocation_message,
        coalesce(
            {{ json_text('part_json', ['pastTenseMessage', 'value']) }},
            case
                when {{ json_type('part_json', ['pastTenseMessage']) }} = 'string'
                    then {{ json_text('part_json', ['pastTenseMessage']) }}
            end
        ) as past_tense_message,
        {{ json_text('part_json', ['toolSpecificData', 'result']) }} as subagent_result,
        {{ json_text('part_json', ['resultDetails', 'output', 0, 'value']) }} as result_output,
        coalesce(
            {{ json_text('part_json', ['resultDetails', 'isError']) }} = 'true'
            or coalesce({{ json_text('part_json', ['isComplete']) }}, 'false') != 'true',
            false
        ) as tool_is_error,
        {{ json_text('part_json', ['toolCallId']) }} as tool_call_id,
        {{ json_text('part_json', ['toolId']) }} as tool_id

    from parts

),

assistant_blocks as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        part_index,
        0 as sub_index,
        case
            when native_block_type in ('markdown', 'markdownContent') then 'text'
            when native_block_type = 'thinking' then 'thinking'
            when native_block_type = 'toolInvocationSerialized' then 'tool_use'
            when
                native_block_type in ('inlineReference', 'codeblockUri', 'textEditGroup')
                and reference_path is not null
                then 'file_reference'
            else 'unknown'
        end as block_type,
        native_block_type,
        part_json,
        markdown_text,
        reference_path,
        invocation_message,
        past_tense_message,
        subagent_result,
        result_output,
        tool_is_error,
        tool_call_id,
        tool_id
    from typed_parts

),

normalized_assistant as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        part_index,
        sub_index,
        block_type,
        native_block_type,
        case block_type
            when 'text' then markdown_text
            when 'thinking' then {{ json_text('part_json', ['value']) }}
            when 'tool_use' then invocation_message
            when 'file_reference' then reference_path
        end as block_text,
        case when block_type = 'tool_use' then tool_call_id end as tool_use_id,
        case when block_type = 'tool_use' then tool_id end as tool_name,
        case
            when block_type = 'tool_use' then {{ json_object([
                ('invocation_message', 'invocation_message'),
                ('input', json_value('part_json', ['resultDetails', 'input'])),
                ('tool_specific_data', json_value('part_json', ['toolSpecificData'])),
            ], json_keys=['input', 'tool_specific_data']) }}
        end as tool_input_json,
        cast(null as boolean) as is_error,
        case block_type
            when 'text' then {{ content_block('text', {'text': 'markdown_text'}) }}
            when 'thinking' then {{ content_block(
                'thinking', {'thinking': json_text('part_json', ['value'])}, extra=[('redacted', 'false')]
            ) }}
            when 'tool_use' then {{ content_block('tool_use', {
                'id': 'tool_call_id',
                'name': 'tool_id',
                'input': json_object([
                    ('invocation_message', 'invocation_message'),
                    ('input', json_value('part_json', ['resultDetails', 'input'])),
                    ('tool_specific_data', json_value('part_json', ['toolSpecificData'])),
                ], json_keys=['input', 'tool_specific_data'])
            }) }}
            when 'file_reference' then {{ content_block(
                'file_reference', {'path': 'reference_path'}, extra=[('native_kind', 'native_block_type')]
            ) }}
            else {{ content_block('unknown', {'original': 'part_json'}) }}
        end as block_json
    from assistant_blocks

    union all

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        part_index,
        1 as sub_index,
        'tool_result' as block_type,
        native_block_type,
        coalesce(subagent_result, result_output, past_tense_message) as block_text,
        tool_call_id as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        tool_is_error as is_error,
        {{ content_block('tool_result', {
            'tool_use_id': 'tool_call_id',
            'content': 'coalesce(subagent_result, result_output, past_tense_message)',
            'is_error': 'tool_is_error'
        }) }} as block_json
    from assistant_blocks
    where block_type = 'tool_use'

),

unioned as (

    select * from user_blocks
    union all
    select * from normalized_assistant

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
        order by part_index, sub_index
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

union all

select
    platform,
    native_message_id,
    run_id,
    raw_checksum,
    source_uri,
    record_locator,
    block_index,
    block_type,
    native_block_type,
    block_text,
    tool_use_id,
    tool_name,
    tool_input_json,
    is_error,
    block_json
from {{ ref('stg_copilot_chat__otel_content_blocks') }}
