{#- Every conversation with the deduplication policy applied (int_conversation_duplicates_detected):
    - `skip`: the dropped conversation is not listed;
    - `merge`: the dropped conversation is not listed and the kept one unions its metadata
      (its source files are added, its id is listed in merged_conversation_ids);
    - `version`: both stay as versions of one conversation (canonical_conversation_id = the kept
      one) and only the most recently updated is listed;
    - `error`: both stay listed, and tests/assert_no_duplicates_set_to_error fails the build.
    The marts show the listed conversations only. -#}

{%- if keep_while_lake_unchanged() %}

-- no scope of the lake changed since the last complete build: kept as that build made it
select * from {{ this }}

{%- else %}

with

conversations as (

    select * from {{ ref('int_conversations_aggregated') }}

),

pairs as (

    select * from {{ ref('int_conversation_duplicates_detected') }}

),

merged as (

    select
        pairs.kept_conversation_id,
        sum(conversations.source_files) as merged_source_files,
        {{ json_array_agg(
            "'\"' || pairs.dropped_conversation_id || '\"'", 'pairs.dropped_conversation_id'
        ) }} as merged_conversation_ids
    from pairs
    inner join conversations
        on pairs.dropped_conversation_id = conversations.conversation_id
    where pairs.action = 'merge'
    group by 1

),

version_members as (

    select
        kept_conversation_id as canonical_conversation_id,
        kept_conversation_id as conversation_id
    from pairs
    where action = 'version'
    union
    select
        kept_conversation_id as canonical_conversation_id,
        dropped_conversation_id as conversation_id
    from pairs
    where action = 'version'

),

version_recency as (

    select
        version_members.canonical_conversation_id,
        version_members.conversation_id,
        row_number() over (
            partition by version_members.canonical_conversation_id
            order by conversations.updated_at desc nulls last, conversations.conversation_id desc
        ) as recency_rank
    from version_members
    inner join conversations
        on version_members.conversation_id = conversations.conversation_id

),

resolved as (

    select
        conversations.*,
        coalesce(
            version_recency.canonical_conversation_id,
            pairs.kept_conversation_id,
            conversations.conversation_id
        ) as canonical_conversation_id,
        pairs.level as dedup_level,
        pairs.action as dedup_action,
        case
            when pairs.action in ('skip', 'merge') then false
            when version_recency.conversation_id is not null then version_recency.recency_rank = 1
            else true
        end as is_listed,
        merged.merged_conversation_ids,
        conversations.source_files + coalesce(merged.merged_source_files, 0) as all_source_files
    from conversations
    left join pairs
        on conversations.conversation_id = pairs.dropped_conversation_id
    left join version_recency
        on conversations.conversation_id = version_recency.conversation_id
    left join merged
        on conversations.conversation_id = merged.kept_conversation_id

),

final as (

    select
        *,
        {{ json_object([
            ('first_app_version', 'first_app_version'),
            ('source_files', 'all_source_files'),
            ('sidechain_messages', 'sidechain_messages'),
            ('api_error_messages', 'api_error_messages'),
            ('unpriced_messages', 'unpriced_messages'),
            ('merged_conversation_ids', 'merged_conversation_ids'),
        ], json_keys=['merged_conversation_ids']) }} as platform_metadata
    from resolved

)

select * from final

{%- endif %}
