{#- Every deduplication decision, so that nothing is dropped silently:
    - entity `message`: a landed copy of a message that was not kept (kept_id = dropped_id = the
      message; the dropped copy's file, locator and checksum say which copy). Level
      `raw_checksum` when its bytes equal the kept copy's, `native_id` when only the platform's
      own message id says it is the same message (a resumed session's copy under a new session
      id, a rewritten file's older version). At record level `merge` and `version` fold like
      `skip` (there is nothing to merge in identical bytes); `error` fails the build.
    - entity `conversation`: a pair from int_conversation_duplicates_detected with its level,
      action and similarity. -#}

{%- if keep_while_lake_unchanged() %}

-- no scope of the lake changed since the last complete build: kept as that build made it
select * from {{ this }}

{%- else %}

with

message_copies as (

    select * from {{ ref('int_message_copies_ranked') }}
    where copy_rank > 1

),

conversation_pairs as (

    select * from {{ ref('int_conversation_duplicates_detected') }}

),

message_decisions as (

    select
        'message' as entity,
        platform,
        message_id as kept_id,
        message_id as dropped_id,
        case when raw_checksum = kept_raw_checksum then 'raw_checksum' else 'native_id' end as level,
        case
            when raw_checksum = kept_raw_checksum and {{ dedup_action('raw_checksum') }} = 'error' then 'error'
            else 'skip'
        end as action,
        1.0 as similarity,
        source_uri as dropped_source_uri,
        record_locator as dropped_record_locator,
        raw_checksum as dropped_raw_checksum,
        run_id as dropped_run_id
    from message_copies

),

conversation_decisions as (

    select
        'conversation' as entity,
        conversations.platform,
        conversation_pairs.kept_conversation_id as kept_id,
        conversation_pairs.dropped_conversation_id as dropped_id,
        conversation_pairs.level,
        conversation_pairs.action,
        conversation_pairs.similarity,
        cast(null as {{ dbt.type_string() }}) as dropped_source_uri,
        cast(null as {{ dbt.type_string() }}) as dropped_record_locator,
        conversations.raw_checksum as dropped_raw_checksum,
        cast(null as {{ dbt.type_string() }}) as dropped_run_id
    from conversation_pairs
    inner join {{ ref('int_conversations_aggregated') }} as conversations
        on conversation_pairs.dropped_conversation_id = conversations.conversation_id

),

decisions as (

    select * from message_decisions
    union all
    select * from conversation_decisions

),

final as (

    select
        cast({{ deterministic_id([
            'entity', 'kept_id', 'dropped_id', 'dropped_source_uri', 'dropped_record_locator',
            'dropped_raw_checksum', 'dropped_run_id'
        ]) }} as {{ dbt.type_string() }}) as duplicate_id,
        cast(entity as {{ dbt.type_string() }}) as entity,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(kept_id as {{ dbt.type_string() }}) as kept_id,
        cast(dropped_id as {{ dbt.type_string() }}) as dropped_id,
        cast(level as {{ dbt.type_string() }}) as level,
        cast(action as {{ dbt.type_string() }}) as action,
        cast(similarity as {{ type_double() }}) as similarity,
        cast(dropped_source_uri as {{ dbt.type_string() }}) as dropped_source_uri,
        cast(dropped_record_locator as {{ dbt.type_string() }}) as dropped_record_locator,
        cast(dropped_raw_checksum as {{ dbt.type_string() }}) as dropped_raw_checksum,
        cast(dropped_run_id as {{ dbt.type_string() }}) as dropped_run_id,
        {{ schema_version() }} as schema_version
    from decisions

)

select * from final

{%- endif %}
