{#- Every version of every conversation seen over time: each extract run that landed records of a
    conversation is a candidate state, whose content hash covers the messages landed up to that
    run (in their current content; raw is never rewritten, so an exact earlier state can be
    rebuilt from the lake) and whose raw checksum covers the records landed up to that run. A
    state that changed nothing (the same records reached again, e.g. a copy of a file at another
    path) is not a new version. -#}

{{ incremental_by_conversation() }}

with

landed as (

    select * from {{ ref('int_messages_unioned') }}
    where {{ changed_conversations_filter() }}

),

fingerprints as (

    select * from {{ ref('int_messages_fingerprinted') }}
    where {{ changed_conversations_filter() }}

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
        row_number() over (partition by conversation_id order by extracted_at asc, run_id asc) as version
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
        {{ sha256_hex(listagg_ordered('raw_checksum', "''", ['raw_checksum'])) }} as raw_checksum
    from version_records
    group by 1, 2

),

states as (

    select
        versions.conversation_id,
        versions.run_id,
        versions.version as run_index,
        versions.first_seen_at,
        version_contents.content_hash,
        version_checksums.raw_checksum,
        coalesce(version_contents.message_count, 0) as message_count,
        lag(version_contents.content_hash) over (
            partition by versions.conversation_id order by versions.version
        ) as previous_content_hash,
        lag(version_checksums.raw_checksum) over (
            partition by versions.conversation_id order by versions.version
        ) as previous_raw_checksum
    from versions
    left join version_contents
        on
            versions.conversation_id = version_contents.conversation_id
            and versions.version = version_contents.version
    left join version_checksums
        on
            versions.conversation_id = version_checksums.conversation_id
            and versions.version = version_checksums.version

),

changed as (

    select *
    from states
    where
        run_index = 1
        or content_hash is distinct from previous_content_hash
        or raw_checksum is distinct from previous_raw_checksum

),

final as (

    select
        conversation_id,
        run_id,
        row_number() over (partition by conversation_id order by run_index asc) as version,
        content_hash,
        raw_checksum,
        message_count,
        first_seen_at,
        lead(first_seen_at) over (partition by conversation_id order by run_index asc) as next_seen_at
    from changed

)

select * from final
