-- The longest sessions: how long they ran, how many messages, what they cost (usage_sessions).
with

usage_sessions as (

    select * from {{ ref('usage_sessions') }}

),

conversations as (

    select * from {{ ref('conversations') }}

),

sessions as (

    select
        usage_sessions.platform,
        usage_sessions.title,
        usage_sessions.workspace_path,
        conversations.git_branch,
        usage_sessions.first_message_at,
        {{ round_double('usage_sessions.duration_ms / 60000.0', 1) }} as duration_minutes,
        conversations.total_messages,
        usage_sessions.api_responses,
        usage_sessions.models_used,
        {{ round_double('usage_sessions.cost', 4) }} as cost_usd
    from usage_sessions
    inner join conversations
        on usage_sessions.conversation_id = conversations.conversation_id

)

select * from sessions
order by 6 desc nulls last, 5 asc
limit 10
