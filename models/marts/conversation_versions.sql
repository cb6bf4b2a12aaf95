{#- Every version of every conversation seen over time (int_conversation_versions_tracked): a new
    version each time an extract run lands records that change the conversation (a session that
    grew, a file rewritten, a re-export). Conversations deduplication folded into another keep
    their own versions, under the canonical_conversation_id of the one they were folded into. -#}

{%- if keep_while_lake_unchanged() %}

-- no scope of the lake changed since the last complete build: kept as that build made it
select * from {{ this }}

{%- else %}

with

versions as (

    select * from {{ ref('int_conversation_versions_tracked') }}

),

conversations as (

    select * from {{ ref('int_conversations_deduplicated') }}

),

extract_runs as (

    select max(started_at) as last_run_at from {{ source('raw', 'extract_runs') }}

),

final as (

    select
        cast({{ deterministic_id(['versions.conversation_id', 'versions.version']) }} as {{ dbt.type_string() }})
            as conversation_version_id,
        cast(versions.conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(conversations.canonical_conversation_id as {{ dbt.type_string() }}) as canonical_conversation_id,
        cast(versions.version as {{ dbt.type_bigint() }}) as version,
        cast(versions.run_id as {{ dbt.type_string() }}) as run_id,
        cast(versions.content_hash as {{ dbt.type_string() }}) as content_hash,
        cast(versions.raw_checksum as {{ dbt.type_string() }}) as raw_checksum,
        cast(versions.message_count as {{ dbt.type_bigint() }}) as message_count,
        versions.first_seen_at,
        coalesce(
            versions.next_seen_at,
            greatest(extract_runs.last_run_at, versions.first_seen_at),
            versions.first_seen_at
        ) as last_seen_at,
        coalesce(conversations.is_listed and versions.next_seen_at is null, false) as is_current,
        {{ schema_version() }} as schema_version
    from versions
    inner join conversations
        on versions.conversation_id = conversations.conversation_id
    cross join extract_runs

)

select * from final

{%- endif %}
