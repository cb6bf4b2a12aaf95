{#- One row per content block of a Continue message, normalized to the unified block kinds, in
    this order within a message: the item's `reasoning.text` (thinking), the message content (a
    string -> one text block, empty strings skipped; `parts` -> text, `imageUrl` -> image with
    metadata only, never the bytes, other parts -> unknown; a `thinking` message -> thinking, its
    `redactedThinking` kept; a `tool` message -> one tool_result for its `toolCallId`, an error
    when the call's toolCallState is `errored` or `canceled`), then `toolCalls` -> tool_use
    (input: the parsed `arguments` JSON, else `{"arguments": <text>}`), then `contextItems` ->
    file_reference (path: the item's file URI as a path, else its `description`, else its
    `name`). -#}

with

items as (

    select * from {{ ref('stg_continue__history_items') }}
    where not is_malformed

),

tool_states as (

    select
        items.raw_checksum,
        coalesce(
            {{ json_text('state.element_json', ['toolCallId']) }},
            {{ json_text('state.element_json', ['toolCall', 'id']) }}
        ) as tool_call_id,
        max(
            case
                when {{ json_text('state.element_json', ['status']) }} in ('errored', 'canceled') then 1
                else 0
            end
        ) = 1 as is_failed
    from items
    cross join lateral {{ json_each_element('items.item_json', ['toolCallStates'], 'state') }}
    group by 1, 2

),

reasoning_blocks as (

    select
        platform,
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        0 as block_group,
        0 as block_sub_index,
        'thinking' as block_type,
        'reasoning' as native_block_type,
        reasoning_text as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        {{ json_value('item_json', ['reasoning']) }} as original_json
    from items
    where reasoning_text is not null and reasoning_text != ''

),

string_blocks as (

    select
        items.platform,
        items.native_message_id,
        items.run_id,
        items.raw_checksum,
        items.source_uri,
        items.record_locator,
        1 as block_group,
        0 as block_sub_index,
        case items.native_role
            when 'tool' then 'tool_result'
            when 'thinking' then 'thinking'
            else 'text'
        end as block_type,
        items.native_role || '_content' as native_block_type,
        items.content_text as block_text,
        case when items.native_role = 'tool' then items.tool_call_id end as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        case
            when items.native_role = 'tool'
                then coalesce(tool_states.is_failed, false)
        end as is_error,
        items.message_json as original_json
    from items
    left join tool_states
        on
            items.raw_checksum = tool_states.raw_checksum
            and items.tool_call_id = tool_states.tool_call_id
            and items.native_role = 'tool'
    where
        (items.content_json_type = 'string' and items.content_text != '')
        or items.native_role = 'tool'
        or (
            items.native_role = 'thinking'
            and {{ json_text('items.message_json', ['redactedThinking']) }} is not null
        )

),

parts as (

    select
        items.platform,
        items.native_message_id,
        items.run_id,
        items.raw_checksum,
        items.source_uri,
        items.record_locator,
        items.native_role,
        part.element_index,
        part.element_json,
        {{ json_text('part.element_json', ['type']) }} as part_type
    from items
    cross join lateral {{ json_each_element('items.message_json', ['content'], 'part') }}
    where items.native_role != 'tool'

),

part_blocks as (

    select
        platform,
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        1 as block_group,
        element_index as block_sub_index,
        case
            when part_type = 'text' and native_role = 'thinking' then 'thinking'
            when part_type = 'text' then 'text'
            when part_type = 'imageUrl' then 'image'
            else 'unknown'
        end as block_type,
        coalesce(part_type, 'part') as native_block_type,
        case when part_type = 'text' then {{ json_text('element_json', ['text']) }} end as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        element_json as original_json
    from parts

),

tool_calls as (

    select
        items.platform,
        items.native_message_id,
        items.run_id,
        items.raw_checksum,
        items.source_uri,
        items.record_locator,
        call.element_index,
        call.element_json,
        {{ json_text('call.element_json', ['function', 'arguments']) }} as arguments_text
    from items
    cross join lateral {{ json_each_element('items.message_json', ['toolCalls'], 'call') }}

),

tool_use_blocks as (

    select
        platform,
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        2 as block_group,
        element_index as block_sub_index,
        'tool_use' as block_type,
        coalesce({{ json_text('element_json', ['type']) }}, 'tool_call') as native_block_type,
        cast(null as {{ dbt.type_string() }}) as block_text,
        {{ json_text('element_json', ['id']) }} as tool_use_id,
        {{ json_text('element_json', ['function', 'name']) }} as tool_name,
        case
            when
                {{ json_is_valid('arguments_text') }}
                and {{ json_type('arguments_text') }} = 'object'
                then arguments_text
            when arguments_text is not null
                then {{ json_object([('arguments', 'arguments_text')]) }}
            else '{}'
        end as tool_input_json,
        cast(null as boolean) as is_error,
        element_json as original_json
    from tool_calls

),

context_items as (

    select
        items.platform,
        items.native_message_id,
        items.run_id,
        items.raw_checksum,
        items.source_uri,
        items.record_locator,
        context_item.element_index,
        context_item.element_json,
        {{ json_text('context_item.element_json', ['uri', 'type']) }} as uri_type,
        {{ json_text('context_item.element_json', ['uri', 'value']) }} as uri_value,
        {{ json_text('context_item.element_json', ['description']) }} as item_description,
        {{ json_text('context_item.element_json', ['name']) }} as item_name
    from items
    cross join lateral {{ json_each_element('items.item_json', ['contextItems'], 'context_item') }}

),

file_reference_blocks as (

    select
        platform,
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        3 as block_group,
        element_index as block_sub_index,
        'file_reference' as block_type,
        coalesce(
            {{ json_text('element_json', ['id', 'providerTitle']) }}, uri_type, 'context_item'
        ) as native_block_type,
        coalesce({{ continue_uri_to_path('uri_value') }}, item_description, item_name) as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        element_json as original_json
    from context_items

),

content_blocks as (

    select * from reasoning_blocks
    union all
    select * from string_blocks
    union all
    select * from part_blocks
    union all
    select * from tool_use_blocks
    union all
    select * from file_reference_blocks

),

numbered as (

    select
        *,
        row_number() over (
            partition by raw_checksum, native_message_id order by block_group, block_sub_index
        ) - 1 as block_index
    from content_blocks

)

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
    case block_type
        when 'text' then {{ content_block('text', {'text': 'block_text'}) }}
        when 'thinking' then {{ content_block(
            'thinking', {'thinking': 'block_text'},
            extra=[('redacted', json_text('original_json', ['redactedThinking']))]
        ) }}
        when 'tool_use' then {{ content_block(
            'tool_use', {'id': 'tool_use_id', 'name': 'tool_name', 'input': 'tool_input_json'}
        ) }}
        when 'tool_result' then {{ content_block(
            'tool_result', {'tool_use_id': 'tool_use_id', 'content': 'block_text', 'is_error': 'is_error'}
        ) }}
        when 'image' then {{ content_block('image', extra=[
            ('media_type', regex_extract(json_text('original_json', ['imageUrl', 'url']), '^data:([^;,]+)')),
            ('url', "case when " ~ json_text('original_json', ['imageUrl', 'url']) ~ " not like 'data:%' then "
                ~ json_text('original_json', ['imageUrl', 'url']) ~ " end")
        ]) }}
        when 'file_reference' then {{ content_block(
            'file_reference', {'path': 'block_text'},
            extra=[
                ('name', json_text('original_json', ['name'])),
                ('provider', json_text('original_json', ['id', 'providerTitle'])),
                ('uri', json_text('original_json', ['uri', 'value']))
            ]
        ) }}
        else {{ content_block('unknown', {'original': 'original_json'}) }}
    end as block_json
from numbered
