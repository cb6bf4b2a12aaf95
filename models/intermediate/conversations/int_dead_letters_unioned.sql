{#- Every landed record that could not become part of a conversation, with the reason, from every
    platform. The same record landed twice at the same place (a re-run after a crash) is one row. -#}

{{ incremental_by_lake_scope() }}

with

unioned as (

    {{ union_platforms('dead_letters', [
        'platform',
        'source_uri',
        'record_locator',
        'record_kind',
        'reason',
        'raw_checksum',
        'extracted_at',
        'run_id'
    ]) }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by platform, source_uri, record_locator, raw_checksum
            order by extracted_at
        ) as landing_rank
    from unioned

)

select
    {{ deterministic_id(['platform', 'source_uri', 'record_locator', 'raw_checksum']) }}
        as dead_letter_id,
    platform,
    source_uri,
    record_locator,
    record_kind,
    reason,
    raw_checksum,
    extracted_at,
    run_id
from ranked
where landing_rank = 1
