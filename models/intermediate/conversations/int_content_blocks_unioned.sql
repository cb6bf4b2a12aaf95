{#- Every platform's content blocks in one relation, keyed to the landed record they came from. -#}

{{ incremental_by_lake_scope() }}

with

unioned as (

    {{ union_platforms('content_blocks', [
        'platform',
        'native_message_id',
        'run_id',
        'raw_checksum',
        'source_uri',
        'record_locator',
        'block_index',
        'block_type',
        'native_block_type',
        'block_text',
        'tool_use_id',
        'tool_name',
        'tool_input_json',
        'is_error',
        'block_json'
    ]) }}

)

select
    {{ deterministic_id(['platform', 'native_message_id']) }} as message_id,
    *
from unioned
