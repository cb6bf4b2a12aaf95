{#- The conversations this build recomputes (macros/incremental.sql): every conversation that a
    changed scope of the lake holds now (int_*_unioned, after this build replaced those scopes) or
    held at the last complete build (int_lake_scopes_built) with other rows than it held then (the
    rows' fingerprints, conversation_fingerprints, differ), and every conversation connected to
    one of them through a shared message id (a resumed session's copies), API response id or tool
    call id, followed to the end: the conversation-level models partition by those ids, so a
    conversation that shares one with a changed conversation is recomputed with it. Empty where
    every model is rebuilt whole (Spark), and when no scope changed. -#}

{{ config(materialized='table') }}

{%- set built = lake_scopes_built_relation() %}

{#- nothing changed (known at run time: base_lake__scopes is built first): no walk over every
    message's ids -#}
{%- set nothing_changed = lake_unchanged() %}
{%- if builds_incrementally() and not nothing_changed %}

with recursive

changed_scopes as (

    select lake_scope_id
    from {{ ref('base_lake__scopes') }}
    where is_changed

),

messages as (

    select
        message_id,
        conversation_id,
        platform,
        api_response_id,
        {{ lake_scope_id('platform', 'source_uri') }} as lake_scope_id
    from {{ ref('int_messages_unioned') }}

),

summaries as (

    select
        conversation_id,
        {{ lake_scope_id('platform', 'source_uri') }} as lake_scope_id
    from {{ ref('int_summaries_unioned') }}

),

thread_links as (

    select
        {{ deterministic_id(['platform', 'native_session_id']) }} as conversation_id,
        {{ lake_scope_id('platform', 'source_uri') }} as lake_scope_id
    from {{ ref('stg_claude_code__thread_links') }}

),

tool_blocks as (

    select distinct
        platform,
        message_id,
        tool_use_id
    from {{ ref('int_content_blocks_unioned') }}
    where tool_use_id is not null

),

{%- if relation_has_column(built, 'content_fingerprint') %}

-- what the changed scopes hold now, each conversation with the fingerprint of its rows there
current_holdings as (

    {{ conversation_fingerprints(changed_only=true) }}

),

previous_holdings as (

    select
        lake_scope_id,
        conversation_id,
        content_fingerprint
    from {{ built }}
    where
        conversation_id is not null
        and lake_scope_id in (select changed_scopes.lake_scope_id from changed_scopes)

),

-- the conversations whose rows in a changed scope differ from the last complete build's (new,
-- gone or changed): a platform recomputed whole leaves the rest of its conversations as they were
seeds as (

    select coalesce(current_holdings.conversation_id, previous_holdings.conversation_id) as conversation_id
    from current_holdings
    full outer join previous_holdings
        on
            current_holdings.lake_scope_id = previous_holdings.lake_scope_id
            and current_holdings.conversation_id = previous_holdings.conversation_id
    where
        current_holdings.content_fingerprint is null
        or previous_holdings.content_fingerprint is null
        or current_holdings.content_fingerprint != previous_holdings.content_fingerprint

),

{%- else %}

-- what the changed scopes hold now, and held at the last complete build (which recorded no
-- fingerprints: a warehouse of an older version, or none yet)
seeds as (

    select conversation_id from messages
    where lake_scope_id in (select changed_scopes.lake_scope_id from changed_scopes)
    union
    select conversation_id from summaries
    where lake_scope_id in (select changed_scopes.lake_scope_id from changed_scopes)
    union
    select conversation_id from thread_links
    where lake_scope_id in (select changed_scopes.lake_scope_id from changed_scopes)
    {%- if built is not none %}
    union
    select conversation_id from {{ built }}
    where
        conversation_id is not null
        and lake_scope_id in (select changed_scopes.lake_scope_id from changed_scopes)
    {%- endif %}

),

{%- endif %}

-- the ids the conversation-level models partition by, with each conversation that holds one
key_holders as (

    select distinct
        'message|' || message_id as share_key,
        conversation_id
    from messages
    union
    select distinct
        'response|' || platform || '|' || api_response_id as share_key,
        conversation_id
    from messages
    where api_response_id is not null
    union
    select distinct
        'tool|' || tool_blocks.platform || '|' || tool_blocks.tool_use_id as share_key,
        messages.conversation_id
    from tool_blocks
    inner join messages
        on tool_blocks.message_id = messages.message_id

),

shared_keys as (

    select share_key
    from key_holders
    group by 1
    having count(*) > 1

),

links as (

    select distinct
        holders.conversation_id,
        other_holders.conversation_id as linked_conversation_id
    from key_holders as holders
    inner join shared_keys
        on holders.share_key = shared_keys.share_key
    inner join key_holders as other_holders
        on
            holders.share_key = other_holders.share_key
            and holders.conversation_id != other_holders.conversation_id

),

-- `union` stops at a conversation already reached, so the walk ends
connected (conversation_id) as (

    select conversation_id from seeds
    union
    select links.linked_conversation_id
    from connected
    inner join links
        on connected.conversation_id = links.conversation_id

)

select distinct conversation_id
from connected

{%- else %}

select cast(null as {{ dbt.type_string() }}) as conversation_id
where 1 = 0

{%- endif %}
