{#- Every platform's content blocks in one relation, keyed to the landed record they came from. -#}

with

claude_code as (

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
    from {{ ref('stg_claude_code__content_blocks') }}

),

unioned as (

    select * from claude_code

)

select
    {{ deterministic_id(['platform', 'native_message_id']) }} as message_id,
    *
from unioned
