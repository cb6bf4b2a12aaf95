{#- Parent links of the Claude Code lines that are in the message tree but are not messages
    themselves (hook `attachment` lines, `progress` lines, ...): a message whose parentUuid names
    such a line continues the thread through it. A table, incremental like the int_*_unioned models
    (macros/incremental.sql): int_messages_threaded reads every link, not only the changed files'. -#}

{{ incremental_by_lake_scope() }}

with

session_lines as (

    select * from {{ ref('stg_claude_code__session_lines') }}
    where
        parse_error is null
        and line_type not in ('user', 'assistant', 'system')
        and parent_uuid is not null

)

select distinct
    platform,
    source_uri,
    native_session_id,
    native_message_id as native_line_id,
    parent_uuid as native_parent_line_id
from session_lines
