{#- Titles and compaction summaries of current Continue sessions:
    - `title`: the session's `title`, else its sessions.json entry's, covering the session's last
      message. "New Session", the placeholder Continue shows until a title is generated, is not a
      title.
    - `compaction`: an item's `conversationSummary` (written when the conversation is compacted),
      covering that item's message. -#}

with

sessions as (

    select * from {{ ref('stg_continue__sessions') }}
    where parse_error is null and not is_superseded

),

index_entries as (

    select * from {{ ref('stg_continue__sessions_index') }}
    where is_current

),

messages as (

    select * from {{ ref('stg_continue__messages') }}

),

items as (

    select * from {{ ref('stg_continue__history_items') }}
    where not is_malformed and conversation_summary is not null

),

last_messages as (

    select
        raw_checksum,
        native_message_id,
        occurred_at
    from (
        select
            raw_checksum,
            native_message_id,
            occurred_at,
            row_number() over (partition by raw_checksum order by record_ordinal desc) as recency_rank
        from messages
    ) as ranked
    where recency_rank = 1

),

titles as (

    select
        sessions.platform,
        sessions.native_session_id,
        'title' as summary_type,
        coalesce(
            case when sessions.title != 'New Session' then sessions.title end,
            case when index_entries.title != 'New Session' then index_entries.title end
        ) as summary_text,
        last_messages.native_message_id as covers_native_message_id,
        coalesce(last_messages.occurred_at, index_entries.created_at, sessions.source_mtime)
            as occurred_at,
        sessions.extracted_at,
        sessions.source_uri,
        sessions.record_ordinal
    from sessions
    left join index_entries
        on sessions.native_session_id = index_entries.native_session_id
    left join last_messages
        on sessions.raw_checksum = last_messages.raw_checksum

),

compactions as (

    select
        items.platform,
        items.native_session_id,
        'compaction' as summary_type,
        items.conversation_summary as summary_text,
        items.native_message_id as covers_native_message_id,
        messages.occurred_at,
        items.extracted_at,
        items.source_uri,
        items.item_index + 1 as record_ordinal
    from items
    inner join messages
        on items.native_message_id = messages.native_message_id

)

select * from titles
where summary_text is not null and summary_text != ''
union all
select * from compactions
where summary_text != ''
