{#- One row per Continue chatInteraction event attached to an assistant message of a current
    session, with the tokensGenerated event of the same LLM call when one is found. This is how
    sessions written before message `usage` existed get per-call time and tokens:
    - chatInteraction -> message: the n-th chatInteraction of a session (by time) is the n-th
      assistant message of its history, accepted only when the event's `completion` is absent
      (the noCode data level), empty, or equal to the message's text (an edited and resent
      history shifts the order; such events stay unattached);
    - tokensGenerated -> chatInteraction: Continue logs both when the stream ends, a few
      milliseconds apart; the pair is the mutual nearest in time within 30 seconds (same provider
      when both name one). Autocomplete, edit and title calls have no chatInteraction and stay
      unattached. -#}

with

events as (

    select * from {{ ref('stg_continue__dev_data_events') }}
    where parse_error is null and copy_rank = 1

),

items as (

    select * from {{ ref('stg_continue__history_items') }}
    where native_role = 'assistant'

),

chats as (

    select
        *,
        row_number() over (
            partition by native_session_id order by occurred_at asc, raw_checksum asc
        ) as interaction_ordinal
    from events
    where record_kind = 'chat_interaction'

),

token_events as (

    select * from events
    where record_kind = 'tokens_generated'

),

chats_on_messages as (

    select
        chats.*,
        items.native_message_id
    from chats
    inner join items
        on
            chats.native_session_id = items.native_session_id
            and chats.interaction_ordinal = items.assistant_ordinal
    where
        chats.completion_text is null
        or chats.completion_text = ''
        or chats.completion_text = coalesce(items.content_text, '')

),

candidate_pairs as (

    select
        chats_on_messages.raw_checksum as chat_raw_checksum,
        token_events.raw_checksum as tokens_raw_checksum,
        abs({{ milliseconds_between('token_events.occurred_at', 'chats_on_messages.occurred_at') }})
            as distance_ms
    from chats_on_messages
    inner join token_events
        on
            abs({{ milliseconds_between('token_events.occurred_at', 'chats_on_messages.occurred_at') }})
            <= 30000
            and (
                chats_on_messages.provider_name is null
                or token_events.provider_name is null
                or chats_on_messages.provider_name = token_events.provider_name
            )

),

ranked_pairs as (

    select
        *,
        row_number() over (
            partition by chat_raw_checksum order by distance_ms asc, tokens_raw_checksum asc
        ) as rank_for_chat,
        row_number() over (
            partition by tokens_raw_checksum order by distance_ms asc, chat_raw_checksum asc
        ) as rank_for_tokens
    from candidate_pairs

),

pairs as (

    select * from ranked_pairs
    where rank_for_chat = 1 and rank_for_tokens = 1

)

select
    chats_on_messages.platform,
    chats_on_messages.native_session_id,
    chats_on_messages.native_message_id,
    chats_on_messages.interaction_ordinal,
    chats_on_messages.occurred_at,
    chats_on_messages.model as chat_model,
    chats_on_messages.model_title as chat_model_title,
    chats_on_messages.provider_name as chat_provider,
    chats_on_messages.app_version,
    chats_on_messages.raw_checksum as chat_raw_checksum,
    chats_on_messages.source_uri as chat_source_uri,
    chats_on_messages.record_locator as chat_record_locator,
    token_events.raw_checksum as tokens_raw_checksum,
    token_events.source_uri as tokens_source_uri,
    token_events.record_locator as tokens_record_locator,
    token_events.occurred_at as tokens_occurred_at,
    token_events.model as tokens_model,
    token_events.provider_name as tokens_provider,
    token_events.prompt_tokens,
    token_events.generated_tokens
from chats_on_messages
left join pairs
    on chats_on_messages.raw_checksum = pairs.chat_raw_checksum
left join token_events
    on pairs.tokens_raw_checksum = token_events.raw_checksum
