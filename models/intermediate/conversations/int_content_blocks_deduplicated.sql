{#- The content blocks of the messages deduplication kept: only the blocks of the landed record
    that was kept, so a message copied into several files (or landed twice) has its blocks once.
    Carries the message's conversation, time and metadata for the models that pair and link blocks. -#}

{{ incremental_by_conversation() }}

with

messages as (

    select * from {{ ref('int_messages_deduplicated') }}
    where {{ changed_conversations_filter() }}

),

blocks as (

    select * from {{ ref('int_content_blocks_unioned') }}
    {%- if is_incremental() %}
    where message_id in (select changed_messages.message_id from messages as changed_messages)
    {%- endif %}

),

kept_blocks as (

    select
        blocks.*,
        messages.conversation_id,
        messages.occurred_at,
        messages.record_ordinal,
        messages.metadata
    from blocks
    inner join messages
        on
            blocks.message_id = messages.message_id
            and blocks.run_id = messages.run_id
            and blocks.raw_checksum = messages.raw_checksum
            and blocks.source_uri = messages.source_uri
            and blocks.record_locator = messages.record_locator

)

select * from kept_blocks
