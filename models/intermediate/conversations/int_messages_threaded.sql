{#- The main thread of each conversation whose platform does not mark one itself (Claude Code,
    Copilot Chat): from the conversation's last message that is not a sidechain, up through the
    parents within the conversation (across a compaction boundary through its logical parent; a
    resumed session's thread stops where it reaches the session it resumed). Branches left behind by a
    rewind, an edit or a retry, and subagent sidechains, are off the thread. The walk goes through
    lines that are in the tree without being messages (stg_claude_code__thread_links). A platform that marks
    its own thread (ChatGPT: current_node) keeps its flags. -#}

{{ incremental_by_conversation() }}

with recursive

messages as (

    select
        message_id,
        conversation_id,
        platform,
        occurred_at,
        source_uri,
        record_ordinal,
        role,
        native_message_id,
        is_sidechain,
        is_active_path,
        coalesce(
            parent_message_id,
            case
                when {{ json_text('metadata', ['logical_parent_uuid']) }} is not null
                    then {{ deterministic_id(['platform', json_text('metadata', ['logical_parent_uuid'])]) }}
            end
        ) as thread_parent_id
    from {{ ref('int_messages_deduplicated') }}
    where {{ changed_conversations_filter() }}

),

-- lines that are in a platform's tree without being messages (Claude Code attachments)
line_links as (

    select
        {{ deterministic_id(['platform', 'native_line_id']) }} as line_id,
        {{ deterministic_id(['platform', 'native_session_id']) }} as conversation_id,
        {{ deterministic_id(['platform', 'native_parent_line_id']) }} as thread_parent_id
    from {{ ref('stg_claude_code__thread_links') }}
    where {{ changed_conversations_filter(deterministic_id(['platform', 'native_session_id'])) }}

),

all_links as (

    select
        message_id as node_id,
        conversation_id,
        thread_parent_id,
        0 as link_priority
    from messages
    union all
    select
        line_id as node_id,
        conversation_id,
        thread_parent_id,
        1 as link_priority
    from line_links

),

-- one parent per node (a message's own link first), so the walk never multiplies; computed once
-- (the recursive walk below reads it on every step: inlined, it made this model most of a build)
links as {{ cte_materialized() }} (

    select
        node_id,
        conversation_id,
        thread_parent_id
    from (
        select
            *,
            row_number() over (
                partition by node_id, conversation_id
                order by link_priority asc, thread_parent_id asc
            ) as link_rank
        from all_links
    ) as ranked_links
    where link_rank = 1

),

unflagged_conversations as (

    select conversation_id
    from messages
    group by 1
    having max(case when is_active_path is not null then 1 else 0 end) = 0

),

leaves as (

    select
        message_id,
        conversation_id,
        thread_parent_id
    from (
        select
            messages.message_id,
            messages.conversation_id,
            messages.thread_parent_id,
            row_number() over (
                partition by messages.conversation_id
                order by {{ message_sequence_order('messages', 'desc') }}
            ) as recency_rank
        from messages
        inner join unflagged_conversations
            on messages.conversation_id = unflagged_conversations.conversation_id
        where not messages.is_sidechain
    ) as ranked
    where recency_rank = 1

),

-- the walk stops at a node already on the thread, so a cycle in the parent links ends it
{{ recursive_walk(
    'thread',
    ['message_id', 'conversation_id', 'thread_parent_id'],
    'select message_id, conversation_id, thread_parent_id from leaves',
    ['links.node_id as message_id', 'links.conversation_id', 'links.thread_parent_id'],
    'from thread inner join links on thread.thread_parent_id = links.node_id'
        ~ ' and thread.conversation_id = links.conversation_id',
    node='message_id',
    step_node='links.node_id'
) }}

select distinct
    thread.message_id,
    thread.conversation_id,
    true as is_active_path
from thread
inner join messages
    on thread.message_id = messages.message_id
