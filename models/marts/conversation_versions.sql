{#- Every version of every conversation seen over time. A conversation gets a new version each
    time an extract run lands records of it (a session that grew, a file rewritten, a re-export),
    and the conversations that deduplication folded as `version` (fuzzy level) are versions of
    their canonical conversation. Each version's content hash covers the messages landed up to
    that run (in their current content; raw is never rewritten, so the exact earlier state can be
    rebuilt from the lake) and its raw checksum the records landed up to that run. -#}

with

landed as (

    select * from {{ ref('int_messages_unioned') }}

),

fingerprints as (

    select * from {{ ref('int_messages_fingerprinted') }}

),

conversations as (

    select * from {{ ref('int_conversations_deduplicated') }}

),

extract_runs as (

    select max(started_at) as last_run_at from {{ source('raw', 'extract_runs') }}

),

runs as (

    select distinct
        conversation_id,
        run_id,
        extracted_at
    from landed

),

versions as (

    select
        conversation_id,
        run_id,
        extracted_at as first_seen_at,
        row_number() over (partition by conversation_id order by extracted_at asc, run_id asc) as version,
        lead(extracted_at) over (partition by conversation_id order by extracted_at asc, run_id asc)
            as next_seen_at
    from runs

),

first_landings as (

    select
        message_id,
        min(extracted_at) as first_landed_at
    from landed
    group by 1

),

version_contents as (

    select
        versions.conversation_id,
        versions.version,
        count(*) as message_count,
        {{ conversation_content_hash('fingerprints.fingerprint', 'fingerprints.occurred_at') }} as content_hash
    from versions
    inner join fingerprints
        on versions.conversation_id = fingerprints.conversation_id
    inner join first_landings
        on
            fingerprints.message_id = first_landings.message_id
            and versions.first_seen_at >= first_landings.first_landed_at
    group by 1, 2

),

version_records as (

    select distinct
        versions.conversation_id,
        versions.version,
        landed.raw_checksum
    from versions
    inner join landed
        on
            versions.conversation_id = landed.conversation_id
            and versions.first_seen_at >= landed.extracted_at

),

version_checksums as (

    select
        conversation_id,
        version,
        {{ sha256_hex(dbt.listagg('raw_checksum', "''", 'order by raw_checksum')) }} as raw_checksum
    from version_records
    group by 1, 2

),

final as (

    select
        cast({{ deterministic_id(['versions.conversation_id', 'versions.version']) }} as {{ dbt.type_string() }})
            as conversation_version_id,
        cast(versions.conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(conversations.canonical_conversation_id as {{ dbt.type_string() }}) as canonical_conversation_id,
        cast(versions.version as {{ dbt.type_bigint() }}) as version,
        cast(versions.run_id as {{ dbt.type_string() }}) as run_id,
        cast(version_contents.content_hash as {{ dbt.type_string() }}) as content_hash,
        cast(version_checksums.raw_checksum as {{ dbt.type_string() }}) as raw_checksum,
        cast(coalesce(version_contents.message_count, 0) as {{ dbt.type_bigint() }}) as message_count,
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
    left join version_contents
        on
            versions.conversation_id = version_contents.conversation_id
            and versions.version = version_contents.version
    left join version_checksums
        on
            versions.conversation_id = version_checksums.conversation_id
            and versions.version = version_checksums.version

)

select * from final
