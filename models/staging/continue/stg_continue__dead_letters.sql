{#- Continue records (or parts of them) that cannot become part of a conversation, with the reason:
    - session files that do not parse or have no `history` array;
    - history items without a `message.role` (locator `document/history[<i>]`);
    - sessions.json entries that do not parse, have no `sessionId`, or name a session whose file
      has not landed;
    - dev_data lines that do not parse or have no time;
    - chatInteraction events that match no assistant message of a landed session;
    - tokensGenerated events paired with no chatInteraction (autocomplete, edit and title calls,
      and calls of sessions that have not landed). -#}

with

sessions as (

    select * from {{ ref('stg_continue__sessions') }}

),

index_entries as (

    select * from {{ ref('stg_continue__sessions_index') }}

),

events as (

    select * from {{ ref('stg_continue__dev_data_events') }}
    where copy_rank = 1

),

interactions as (

    select * from {{ ref('stg_continue__interactions') }}

),

bad_sessions as (

    select
        platform,
        source_uri,
        record_locator,
        'session' as record_kind,
        parse_error as reason,
        raw_checksum,
        extracted_at,
        run_id
    from sessions
    where parse_error is not null

),

bad_items as (

    select
        platform,
        source_uri,
        record_locator || '/history[' || cast(item_index as {{ dbt.type_string() }}) || ']'
            as record_locator,
        'session' as record_kind,
        'Continue history item without a message role: it is not a message' as reason,
        raw_checksum,
        extracted_at,
        run_id
    from {{ ref('stg_continue__history_items') }}
    where is_malformed

),

bad_index_entries as (

    select
        index_entries.platform,
        index_entries.source_uri,
        index_entries.record_locator,
        'sessions_index' as record_kind,
        coalesce(
            index_entries.parse_error,
            'sessions.json entry for a session whose file has not landed (deleted, or not read yet)'
        ) as reason,
        index_entries.raw_checksum,
        index_entries.extracted_at,
        index_entries.run_id
    from index_entries
    where
        index_entries.parse_error is not null
        or not exists (
            select sessions.raw_checksum
            from sessions
            where
                sessions.parse_error is null
                and sessions.native_session_id = index_entries.native_session_id
        )

),

bad_events as (

    select
        platform,
        source_uri,
        record_locator,
        record_kind,
        parse_error as reason,
        raw_checksum,
        extracted_at,
        run_id
    from events
    where parse_error is not null

),

unattached_chats as (

    select
        events.platform,
        events.source_uri,
        events.record_locator,
        events.record_kind,
        'unattached Continue chatInteraction: no assistant message of a landed session matches it'
        || ' (session not landed, or its history was edited since)' as reason,
        events.raw_checksum,
        events.extracted_at,
        events.run_id
    from events
    where
        events.parse_error is null
        and events.record_kind = 'chat_interaction'
        and not exists (
            select interactions.chat_raw_checksum
            from interactions
            where interactions.chat_raw_checksum = events.raw_checksum
        )

),

unattached_tokens as (

    select
        events.platform,
        events.source_uri,
        events.record_locator,
        events.record_kind,
        'unattached Continue tokensGenerated: no chat response of a landed session pairs with it'
        || ' (an autocomplete, edit or title call, or a session not landed)' as reason,
        events.raw_checksum,
        events.extracted_at,
        events.run_id
    from events
    where
        events.parse_error is null
        and events.record_kind = 'tokens_generated'
        and not exists (
            select interactions.tokens_raw_checksum
            from interactions
            where interactions.tokens_raw_checksum = events.raw_checksum
        )

)

select * from bad_sessions
union all
select * from bad_items
union all
select * from bad_index_entries
union all
select * from bad_events
union all
select * from unattached_chats
union all
select * from unattached_tokens
