{#- Every landed record that could not become part of a conversation, with the reason, from every
    platform. The same record landed twice at the same place (a re-run after a crash) is one row. -#}

with

claude_code_lines as (

    select
        platform,
        source_uri,
        record_locator,
        'session_line' as record_kind,
        parse_error as reason,
        raw_checksum,
        extracted_at,
        run_id
    from {{ ref('stg_claude_code__session_lines') }}
    where parse_error is not null

),

claude_code_metas as (

    select
        platform,
        source_uri,
        'document' as record_locator,
        'subagent_meta' as record_kind,
        'invalid JSON: the subagent .meta.json does not parse' as reason,
        raw_checksum,
        extracted_at,
        cast(null as {{ dbt.type_string() }}) as run_id
    from {{ ref('stg_claude_code__subagent_metas') }}
    where not is_valid_json

),

unioned as (

    select * from claude_code_lines
    union all
    select * from claude_code_metas

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
