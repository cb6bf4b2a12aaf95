{#- One text block per PlainChat message. -#}

with

lines as (

    select * from {{ ref('stg_plainchat__lines') }}
    where parse_error is null

)

select
    platform,
    session_id || ':' || message_id as native_message_id,
    run_id,
    raw_checksum,
    source_uri,
    record_locator,
    0 as block_index,
    'text' as block_type,
    'text' as native_block_type,
    message_text as block_text,
    cast(null as {{ dbt.type_string() }}) as tool_use_id,
    cast(null as {{ dbt.type_string() }}) as tool_name,
    cast(null as {{ dbt.type_string() }}) as tool_input_json,
    cast(null as boolean) as is_error,
    {{ content_block('text', {'text': 'message_text'}) }} as block_json
from lines
