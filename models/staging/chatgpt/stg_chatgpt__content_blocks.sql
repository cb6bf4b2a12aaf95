{#- One row per content block of a ChatGPT message, normalized to the unified block kinds.
    - An assistant message whose `recipient` is not `all` is a tool call: one tool_use block (id =
      the message's native id, name = the recipient, input = the code or the text it sent).
    - A `tool` message is one tool_result block naming the call it answers (its parent, or up to
      two more tool messages up the chain).
    - Otherwise by `content.content_type`: each `parts` element of text / multimodal_text (or of a
      content without a content_type that has `parts`; a string
      -> text, an image_asset_pointer -> image metadata only, other parts -> unknown), each
      `thoughts` element -> thinking, reasoning_recap -> thinking, code -> code (with language),
      execution_output / tether_quote / tether_browsing_display / system_error -> text; any other
      content type -> one unknown block keeping the original content. -#}

with

nodes as (

    select * from {{ ref('stg_chatgpt__nodes') }}

),

tool_use_blocks as (

    select
        platform,
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        0 as block_index,
        'tool_use' as block_type,
        content_type as native_block_type,
        cast(null as {{ dbt.type_string() }}) as block_text,
        native_message_id as tool_use_id,
        recipient as tool_name,
        case
            when content_type = 'code'
                then {{ json_object([
                    ('language', json_text('content_json', ['language'])),
                    ('code', json_text('content_json', ['text']))
                ]) }}
            when
                {{ json_is_valid(json_text('content_json', ['parts', 0])) }}
                and {{ json_type(json_text('content_json', ['parts', 0])) }} = 'object'
                then {{ json_text('content_json', ['parts', 0]) }}
            when {{ json_text('content_json', ['parts', 0]) }} is not null
                then {{ json_object([('text', json_text('content_json', ['parts', 0]))]) }}
            else content_json
        end as tool_input_json,
        cast(null as boolean) as is_error,
        cast(null as {{ dbt.type_string() }}) as original_json
    from nodes
    where is_tool_call

),

tool_result_texts as (

    select
        *,
        coalesce(
            {{ json_text('content_json', ['text']) }},
            {{ json_text('content_json', ['result']) }},
            {{ json_text('content_json', ['summary']) }},
            {{ json_text('content_json', ['parts', 0]) }}
        ) as result_text,
        coalesce(
            content_type = 'system_error'
            or (aggregate_result_status is not null and aggregate_result_status != 'success'),
            false
        ) as result_is_error
    from nodes
    where author_role = 'tool'

),

tool_result_blocks as (

    select
        platform,
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        0 as block_index,
        'tool_result' as block_type,
        content_type as native_block_type,
        result_text as block_text,
        tool_call_native_message_id as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        result_is_error as is_error,
        cast(null as {{ dbt.type_string() }}) as original_json
    from tool_result_texts

),

plain_nodes as (

    select
        *,
        coalesce(
            content_type in ('text', 'multimodal_text'),
            {{ json_type('content_json', ['parts']) }} = 'array',
            false
        ) as has_parts
    from nodes
    where
        not is_tool_call
        and coalesce(author_role, 'missing') != 'tool'

),

parts as (

    select
        plain_nodes.platform,
        plain_nodes.native_message_id,
        plain_nodes.run_id,
        plain_nodes.raw_checksum,
        plain_nodes.source_uri,
        plain_nodes.record_locator,
        plain_nodes.content_type,
        part.element_index as block_index,
        part.element_json,
        {{ json_type('part.element_json') }} as part_json_type
    from plain_nodes
    cross join lateral {{ json_each_element('plain_nodes.content_json', ['parts'], 'part') }}
    where plain_nodes.has_parts

),

part_blocks as (

    select
        platform,
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        block_index,
        case
            when part_json_type = 'string' then 'text'
            when {{ json_text('element_json', ['content_type']) }} = 'text' then 'text'
            when {{ json_text('element_json', ['content_type']) }} = 'image_asset_pointer' then 'image'
            else 'unknown'
        end as block_type,
        case
            when part_json_type = 'string' then coalesce(content_type, 'parts')
            else coalesce({{ json_text('element_json', ['content_type']) }}, part_json_type)
        end as native_block_type,
        case
            when part_json_type = 'string' then {{ json_text('element_json', []) }}
            when {{ json_text('element_json', ['content_type']) }} = 'text'
                then {{ json_text('element_json', ['text']) }}
        end as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        element_json as original_json
    from parts

),

thought_blocks as (

    select
        plain_nodes.platform,
        plain_nodes.native_message_id,
        plain_nodes.run_id,
        plain_nodes.raw_checksum,
        plain_nodes.source_uri,
        plain_nodes.record_locator,
        thought.element_index as block_index,
        'thinking' as block_type,
        plain_nodes.content_type as native_block_type,
        coalesce(
            {{ json_text('thought.element_json', ['content']) }},
            {{ json_text('thought.element_json', ['summary']) }}
        ) as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        thought.element_json as original_json
    from plain_nodes
    cross join lateral {{ json_each_element('plain_nodes.content_json', ['thoughts'], 'thought') }}
    where plain_nodes.content_type = 'thoughts'

),

single_blocks as (

    select
        platform,
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        0 as block_index,
        case
            when content_type = 'code' then 'code'
            when content_type in ('thoughts', 'reasoning_recap') then 'thinking'
            when
                content_type in (
                    'execution_output', 'tether_quote', 'tether_browsing_display', 'system_error'
                )
                then 'text'
            else 'unknown'
        end as block_type,
        content_type as native_block_type,
        case
            when content_type = 'code' then {{ json_text('content_json', ['text']) }}
            when content_type in ('thoughts', 'reasoning_recap')
                then coalesce(
                    {{ json_text('content_json', ['content']) }},
                    {{ json_text('content_json', ['parts', 0]) }}
                )
            when
                content_type in (
                    'execution_output', 'tether_quote', 'tether_browsing_display', 'system_error'
                )
                then coalesce(
                    {{ json_text('content_json', ['text']) }},
                    {{ json_text('content_json', ['result']) }},
                    {{ json_text('content_json', ['summary']) }}
                )
        end as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        content_json as original_json
    from plain_nodes
    where
        not has_parts
        and not (
            content_type = 'thoughts'
            and coalesce({{ json_type('content_json', ['thoughts']) }}, 'missing') = 'array'
        )

),

content_blocks as (

    select * from part_blocks
    union all
    select * from thought_blocks
    union all
    select * from single_blocks
    union all
    select * from tool_use_blocks
    union all
    select * from tool_result_blocks

),

normalized_content_blocks as (

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
            when 'tool_use' then {{ content_block(
                'tool_use', {'id': 'tool_use_id', 'name': 'tool_name', 'input': 'tool_input_json'}
            ) }}
            when 'tool_result' then {{ content_block(
                'tool_result', {'tool_use_id': 'tool_use_id', 'content': 'block_text', 'is_error': 'is_error'}
            ) }}
            when 'thinking' then {{ content_block(
                'thinking', {'thinking': 'block_text'},
                extra=[('summary', json_text('original_json', ['summary']))]
            ) }}
            when 'code' then {{ content_block(
                'code', {'language': json_text('original_json', ['language']), 'text': 'block_text'}
            ) }}
            when 'image' then {{ content_block('image', extra=[
                ('asset_pointer', json_text('original_json', ['asset_pointer'])),
                ('size_bytes', try_cast_bigint(json_text('original_json', ['size_bytes']))),
                ('width', try_cast_bigint(json_text('original_json', ['width']))),
                ('height', try_cast_bigint(json_text('original_json', ['height'])))
            ]) }}
            else {{ content_block('unknown', {'original': 'original_json'}) }}
        end as block_json
    from content_blocks

)

select * from normalized_content_blocks
