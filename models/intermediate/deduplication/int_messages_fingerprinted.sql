{#- Each kept message's content fingerprint (macros/normalization/fingerprints.sql says exactly
    what goes in), the same without its timestamp (for the fuzzy comparison of conversations
    whose copies were written seconds apart), and its position in its conversation. -#}

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

fingerprinted as (

    select
        messages.message_id,
        messages.conversation_id,
        messages.platform,
        messages.occurred_at,
        messages.extracted_at,
        messages.run_id,
        {{ message_fingerprint('messages.role', 'contents.content_signature', 'messages.occurred_at') }}
            as fingerprint,
        {{ message_fingerprint('messages.role', 'contents.content_signature', 'null') }}
            as timeless_fingerprint
    from messages
    left join contents
        on messages.message_id = contents.message_id

),

positioned as (

    select
        *,
        row_number() over (
            partition by conversation_id
            order by occurred_at asc nulls last, fingerprint asc
        ) as fingerprint_position
    from fingerprinted

)

select * from positioned
