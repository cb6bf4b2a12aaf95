{#- One row per content block of an openai_api message (stg_openai_api__messages), normalized to
    the unified block kinds:
    - `content` as a string -> one text block (an empty string -> none); as an array of parts:
      text -> text, refusal -> text, image_url -> image (the URL only, never a data: URL's
      bytes), file -> file_reference (file name or file id), other parts (input_audio ...)
      -> unknown keeping the part;
    - an answer's `refusal` -> a text block (native_block_type `refusal`);
    - `tool_calls[]` -> tool_use blocks (id, function name, the parsed `arguments`; arguments that
      are not JSON are kept as {"arguments": <text>}); a custom tool call -> tool_use with
      {"input": <text>}; a legacy `function_call` -> tool_use without id;
    - a `tool` message -> one tool_result block naming its `tool_call_id`, its content as text; a
      legacy `function` message -> a tool_result without id;
    - an error answer -> one text block with the error message (native_block_type `error`).
    Blocks are numbered in that order (content, refusal, tool calls). -#}

with

messages as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator
    from {{ ref('stg_openai_api__messages') }}

),

call_messages as (

    select
        call_messages.*,
        messages.run_id,
        messages.raw_checksum,
        messages.source_uri,
        messages.record_locator
    from {{ ref('stg_openai_api__call_messages') }} as call_messages
    inner join messages
        on call_messages.native_message_id = messages.native_message_id

),

string_contents as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        1 as block_group,
        0 as group_index,
        case when role in ('tool', 'function') then 'tool_result' else 'text' end as block_type,
        'string' as native_block_type,
        {{ json_text('message_json', ['content']) }} as block_text,
        case when role in ('tool', 'function') then tool_call_id end as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        cast(null as {{ dbt.type_string() }}) as part_json
    from call_messages
    where
        not is_error
        and content_json_type = 'string'
        and (
            role in ('tool', 'function')
            or {{ json_text('message_json', ['content']) }} != ''
        )

),

tool_message_parts as (

    -- a tool message whose content is an array of text parts: one result, the texts joined
    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        1 as block_group,
        0 as group_index,
        'tool_result' as block_type,
        'array' as native_block_type,
        {{ json_array_join_key('message_json', ['content'], 'text', "''") }} as block_text,
        tool_call_id as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        cast(null as {{ dbt.type_string() }}) as part_json
    from call_messages
    where
        role in ('tool', 'function')
        and content_json_type = 'array'

),

parts as (

    select
        call_messages.native_message_id,
        call_messages.run_id,
        call_messages.raw_checksum,
        call_messages.source_uri,
        call_messages.record_locator,
        part.element_index,
        part.element_json,
        coalesce(
            {{ json_text('part.element_json', ['type']) }},
            {{ json_type('part.element_json') }}
        ) as part_type
    from call_messages
    cross join lateral {{ json_each_element('call_messages.message_json', ['content'], 'part') }}
    where
        not call_messages.is_error
        and call_messages.content_json_type = 'array'
        and coalesce(call_messages.role, 'missing') not in ('tool', 'function')

),

part_blocks as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        1 as block_group,
        element_index as group_index,
        case
            when part_type in ('text', 'refusal', 'string') then 'text'
            when part_type = 'image_url' then 'image'
            when part_type = 'file' then 'file_reference'
            else 'unknown'
        end as block_type,
        part_type as native_block_type,
        case
            when part_type = 'text' then {{ json_text('element_json', ['text']) }}
            when part_type = 'refusal' then {{ json_text('element_json', ['refusal']) }}
            when part_type = 'string' then {{ json_text('element_json', []) }}
        end as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        element_json as part_json
    from parts

),

refusal_blocks as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        2 as block_group,
        0 as group_index,
        'text' as block_type,
        'refusal' as native_block_type,
        refusal as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        cast(null as {{ dbt.type_string() }}) as part_json
    from call_messages
    where refusal is not null

),

tool_calls as (

    select
        call_messages.native_message_id,
        call_messages.run_id,
        call_messages.raw_checksum,
        call_messages.source_uri,
        call_messages.record_locator,
        tool_call.element_index,
        tool_call.element_json,
        {{ json_text('tool_call.element_json', ['function', 'arguments']) }} as arguments
    from call_messages
    cross join lateral {{ json_each_element('call_messages.message_json', ['tool_calls'], 'tool_call') }}

),

tool_use_blocks as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        3 as block_group,
        element_index as group_index,
        'tool_use' as block_type,
        coalesce({{ json_text('element_json', ['type']) }}, 'function') as native_block_type,
        cast(null as {{ dbt.type_string() }}) as block_text,
        {{ json_text('element_json', ['id']) }} as tool_use_id,
        coalesce(
            {{ json_text('element_json', ['function', 'name']) }},
            {{ json_text('element_json', ['custom', 'name']) }}
        ) as tool_name,
        case
            when arguments is not null and {{ json_is_valid('arguments') }} then arguments
            when arguments is not null then {{ json_object([('arguments', 'arguments')]) }}
            when {{ json_text('element_json', ['custom', 'input']) }} is not null
                then {{ json_object([('input', json_text('element_json', ['custom', 'input']))]) }}
        end as tool_input_json,
        cast(null as boolean) as is_error,
        cast(null as {{ dbt.type_string() }}) as part_json
    from tool_calls

),

function_call_blocks as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        3 as block_group,
        0 as group_index,
        'tool_use' as block_type,
        'function_call' as native_block_type,
        cast(null as {{ dbt.type_string() }}) as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        {{ json_text('message_json', ['function_call', 'name']) }} as tool_name,
        case
            when {{ json_is_valid(json_text('message_json', ['function_call', 'arguments'])) }}
                then {{ json_text('message_json', ['function_call', 'arguments']) }}
            else {{ json_object([('arguments', json_text('message_json', ['function_call', 'arguments']))]) }}
        end as tool_input_json,
        cast(null as boolean) as is_error,
        cast(null as {{ dbt.type_string() }}) as part_json
    from call_messages
    where {{ json_type('message_json', ['function_call']) }} = 'object'

),

error_blocks as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        1 as block_group,
        0 as group_index,
        'text' as block_type,
        'error' as native_block_type,
        error_text as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        cast(null as {{ dbt.type_string() }}) as part_json
    from call_messages
    where is_error

),

content_blocks as (

    select * from string_contents
    union all
    select * from tool_message_parts
    union all
    select * from part_blocks
    union all
    select * from refusal_blocks
    union all
    select * from tool_use_blocks
    union all
    select * from function_call_blocks
    union all
    select * from error_blocks

),

numbered as (

    select
        *,
        row_number() over (
            partition by native_message_id
            order by block_group, group_index
        ) - 1 as block_index
    from content_blocks

),

normalized_content_blocks as (

    select
        'openai_api' as platform,
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
            when 'tool_use' then {{ content_block(
                'tool_use', {'id': 'tool_use_id', 'name': 'tool_name', 'input': 'tool_input_json'}
            ) }}
            when 'tool_result' then {{ content_block(
                'tool_result', {'tool_use_id': 'tool_use_id', 'content': 'block_text', 'is_error': 'is_error'}
            ) }}
            when 'image' then {{ content_block('image', extra=[
                ('url', "case when " ~ json_text('part_json', ['image_url', 'url']) ~ " not like 'data:%' then "
                    ~ json_text('part_json', ['image_url', 'url']) ~ " end"),
                ('media_type', regex_extract(json_text('part_json', ['image_url', 'url']), '^data:([^;,]+)')),
                ('detail', json_text('part_json', ['image_url', 'detail']))
            ]) }}
            when 'file_reference' then {{ content_block('file_reference', {
                'path': "coalesce(" ~ json_text('part_json', ['file', 'filename']) ~ ", "
                    ~ json_text('part_json', ['file', 'file_id']) ~ ")"
            }) }}
            else {{ content_block('unknown', {'original': 'part_json'}) }}
        end as block_json
    from numbered

)

select * from normalized_content_blocks
