{#- Pairs of conversations that are the same conversation, found at three levels, each pair with
    the conversation to keep (the one that started first, then the smaller id), the level, the
    action the policy vars give that level, and the similarity:
    1. raw_checksum - the same records (the ordered raw checksums hash the same);
    2. content_hash - different records, the same content (macros/normalization/fingerprints.sql);
    3. fuzzy - same platform, started within var dedup_fuzzy_window_seconds, same number of
       messages, and at least var dedup_fuzzy_min_similarity of the message positions hold the
       same role and content (timestamps ignored). Candidates are only pairs that share platform
       and message count and fall in the window, so this never compares all pairs.
    A conversation is dropped at one level at most (the first that finds it). -#}

{%- if keep_while_lake_unchanged() %}

-- no scope of the lake changed since the last complete build: kept as that build made it
select * from {{ this }}

{%- else %}

with

conversations as (

    select
        conversation_id,
        platform,
        raw_checksum,
        content_hash,
        total_messages,
        created_at,
        {{ epoch_milliseconds('created_at') }} as created_ms
    from {{ ref('int_conversations_aggregated') }}

),

fingerprints as (

    select * from {{ ref('int_messages_fingerprinted') }}

),

---------- level 1: the same raw records

raw_groups as (

    select
        conversation_id,
        first_value(conversation_id) over (
            partition by raw_checksum
            order by created_at asc nulls last, conversation_id asc
            rows between unbounded preceding and unbounded following
        ) as kept_conversation_id
    from conversations

),

raw_pairs as (

    select
        kept_conversation_id,
        conversation_id as dropped_conversation_id,
        'raw_checksum' as level,
        1.0 as similarity
    from raw_groups
    where conversation_id != kept_conversation_id

),

---------- level 2: the same content

content_pool as (

    select conversations.*
    from conversations
    left join raw_pairs
        on conversations.conversation_id = raw_pairs.dropped_conversation_id
    where
        raw_pairs.dropped_conversation_id is null
        and conversations.content_hash is not null
        and conversations.total_messages > 0

),

content_groups as (

    select
        conversation_id,
        first_value(conversation_id) over (
            partition by platform, content_hash
            order by created_at asc nulls last, conversation_id asc
            rows between unbounded preceding and unbounded following
        ) as kept_conversation_id
    from content_pool

),

content_pairs as (

    select
        kept_conversation_id,
        conversation_id as dropped_conversation_id,
        'content_hash' as level,
        1.0 as similarity
    from content_groups
    where conversation_id != kept_conversation_id

),

---------- level 3: nearly the same content, started within the window

fuzzy_pool as (

    select content_pool.*
    from content_pool
    left join content_pairs
        on content_pool.conversation_id = content_pairs.dropped_conversation_id
    where
        content_pairs.dropped_conversation_id is null
        and content_pool.created_ms is not null

),

fuzzy_candidates as (

    select
        earlier.conversation_id as kept_conversation_id,
        later.conversation_id as dropped_conversation_id,
        earlier.total_messages
    from fuzzy_pool as earlier
    inner join fuzzy_pool as later
        on
            earlier.platform = later.platform
            and earlier.total_messages = later.total_messages
            and later.created_ms between earlier.created_ms
            and earlier.created_ms + {{ var('dedup_fuzzy_window_seconds', 60) | int }} * 1000
            and earlier.conversation_id != later.conversation_id
            and (
                earlier.created_ms < later.created_ms
                or earlier.conversation_id < later.conversation_id
            )

),

fuzzy_scored as (

    select
        fuzzy_candidates.kept_conversation_id,
        fuzzy_candidates.dropped_conversation_id,
        cast(sum(
            case when kept_messages.timeless_fingerprint = dropped_messages.timeless_fingerprint then 1 else 0 end
        ) as {{ type_double() }}) / max(fuzzy_candidates.total_messages) as similarity
    from fuzzy_candidates
    inner join fingerprints as kept_messages
        on fuzzy_candidates.kept_conversation_id = kept_messages.conversation_id
    inner join fingerprints as dropped_messages
        on
            fuzzy_candidates.dropped_conversation_id = dropped_messages.conversation_id
            and kept_messages.fingerprint_position = dropped_messages.fingerprint_position
    group by 1, 2

),

fuzzy_best as (

    select
        kept_conversation_id,
        dropped_conversation_id,
        similarity,
        row_number() over (
            partition by dropped_conversation_id
            order by similarity desc, kept_conversation_id asc
        ) as match_rank
    from fuzzy_scored
    where similarity >= {{ var('dedup_fuzzy_min_similarity', 0.95) | float }}

),

fuzzy_pairs as (

    select
        kept_conversation_id,
        dropped_conversation_id,
        'fuzzy' as level,
        similarity
    from fuzzy_best
    where match_rank = 1

),

pairs as (

    select * from raw_pairs
    union all
    select * from content_pairs
    union all
    select * from fuzzy_pairs

)

select
    kept_conversation_id,
    dropped_conversation_id,
    level,
    case level
        when 'raw_checksum' then {{ dedup_action('raw_checksum') }}
        when 'content_hash' then {{ dedup_action('content_hash') }}
        else {{ dedup_action('fuzzy') }}
    end as action,
    cast(similarity as {{ type_double() }}) as similarity
from pairs

{%- endif %}
