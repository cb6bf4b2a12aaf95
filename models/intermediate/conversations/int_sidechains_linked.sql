{#- Links each subagent (sidechain) transcript's root message to the message whose Task / Agent
    tool call spawned it. Claude Code writes the root with no parent in every layout (inline 1.0.x
    sidechains, 2.0.x agent-*.jsonl files, 2.1.x <session>/subagents/ files), but the root's text
    is the spawning call's `prompt`: the link is the latest such call in the same conversation at
    or before the root. -#}

{{ incremental_by_conversation() }}

with

messages as (

    select * from {{ ref('int_messages_deduplicated') }}
    where {{ changed_conversations_filter() }}

),

contents as (

    select * from {{ ref('int_message_contents_aggregated') }}
    where {{ changed_conversations_filter() }}

),

spawning_blocks as (

    select * from {{ ref('int_content_blocks_deduplicated') }}
    where
        {{ changed_conversations_filter() }}
        and block_type = 'tool_use'
        and tool_name in ('Task', 'Agent')

),

roots as (

    select
        messages.message_id,
        messages.conversation_id,
        messages.occurred_at,
        contents.content_text
    from messages
    inner join contents
        on messages.message_id = contents.message_id
    where
        messages.is_sidechain
        and messages.parent_message_id is null
        and contents.content_text is not null

),

spawning_calls as (

    select
        message_id,
        conversation_id,
        occurred_at,
        {{ json_text('tool_input_json', ['prompt']) }} as prompt
    from spawning_blocks

),

matched as (

    select
        roots.message_id,
        roots.conversation_id,
        spawning_calls.message_id as parent_message_id,
        row_number() over (
            partition by roots.message_id
            order by spawning_calls.occurred_at desc nulls last, spawning_calls.message_id asc
        ) as match_rank
    from roots
    inner join spawning_calls
        on
            roots.conversation_id = spawning_calls.conversation_id
            and roots.content_text = spawning_calls.prompt
            and (
                spawning_calls.occurred_at is null
                or roots.occurred_at is null
                or roots.occurred_at >= spawning_calls.occurred_at
            )

)

select
    message_id,
    conversation_id,
    parent_message_id,
    'task_prompt' as link_method
from matched
where match_rank = 1
