{#- One row per content block of a Claude Code user, assistant or system line, normalized to the
    unified block kinds (text, thinking, tool_use, tool_result, image, unknown). A string content
    becomes one text block. Images keep metadata only, never their bytes. -#}

with

session_lines as (

    select * from {{ ref('stg_claude_code__session_lines') }}
    where
        parse_error is null
        and line_type in ('user', 'assistant', 'system')

),

array_blocks as (

    select
        session_lines.native_message_id,
        session_lines.run_id,
        session_lines.raw_checksum,
        session_lines.source_uri,
        session_lines.record_locator,
        block.element_index as block_index,
        block.element_json as original_json
    from {{ json_elements_from('session_lines', 'session_lines.message_content_json', [], 'block') }}

),

string_blocks as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        0 as block_index,
        {{ content_block('text', {'text': json_text('message_content_json', [])}) }}
            as original_json
    from session_lines
    where message_content_type = 'string'

),

system_blocks as (

    select
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        0 as block_index,
        {{ content_block('text', {'text': 'line_content_text'}) }} as original_json
    from session_lines
    where
        line_type = 'system'
        and message_content_type is null
        and line_content_text is not null

),

all_blocks as (

    select * from array_blocks
    union all
    select * from string_blocks
    union all
    select * from system_blocks

),

{#- the scalars the columns below read, parsed out of each block at once -#}
{%- set texts = {
    'j_type': ['type'],
    'j_content': ['content'],
    'j_text': ['text'],
    'j_thinking': ['thinking'],
    'j_id': ['id'],
    'j_tool_use_id': ['tool_use_id'],
    'j_name': ['name'],
    'j_is_error': ['is_error'],
    'j_source_media_type': ['source', 'media_type'],
    'j_source_type': ['source', 'type']
} %}

extracted as (

    {{ select_json_texts('all_blocks', 'original_json', texts) }}

),

typed as (

    select
        *,
        'claude_code' as platform,
        j_type as native_block_type,
        case j_type
            when 'text' then 'text'
            when 'thinking' then 'thinking'
            when 'redacted_thinking' then 'thinking'
            when 'tool_use' then 'tool_use'
            when 'server_tool_use' then 'tool_use'
            when 'tool_result' then 'tool_result'
            when 'web_search_tool_result' then 'tool_result'
            when 'image' then 'image'
            else 'unknown'
        end as block_type,
        case
            when {{ json_type('original_json', ['content']) }} = 'string'
                then j_content
            else {{ json_array_join_key('original_json', ['content'], 'text', "chr(10)") }}
        end as result_text
    from extracted

),

normalized as (

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
        case block_type
            when 'text' then j_text
            when 'thinking' then j_thinking
            when 'tool_result' then result_text
        end as block_text,
        case
            when block_type = 'tool_use' then j_id
            when block_type = 'tool_result' then j_tool_use_id
        end as tool_use_id,
        case when block_type = 'tool_use' then j_name end
            as tool_name,
        case when block_type = 'tool_use' then {{ json_value('original_json', ['input']) }} end
            as tool_input_json,
        case
            when block_type = 'tool_result'
                then coalesce(j_is_error = 'true', false)
        end as is_error,
        case block_type
            when 'text' then {{ content_block('text', {'text': 'j_text'}) }}
            when 'thinking' then {{ content_block(
                'thinking', {'thinking': 'j_thinking'},
                extra=[('redacted', "native_block_type = 'redacted_thinking'")]
            ) }}
            when 'tool_use' then {{ content_block('tool_use', {
                'id': 'j_id',
                'name': 'j_name',
                'input': json_value('original_json', ['input'])
            }) }}
            when 'tool_result' then {{ content_block('tool_result', {
                'tool_use_id': 'j_tool_use_id',
                'content': 'result_text',
                'is_error': "coalesce(j_is_error = 'true', false)"
            }) }}
            when 'image' then {{ content_block('image', extra=[
                ('media_type', 'j_source_media_type'),
                ('source_type', 'j_source_type')
            ]) }}
            else {{ content_block('unknown', {'original': 'original_json'}) }}
        end as block_json
    from typed

)

select * from normalized
