{#- Claude Code records that cannot become part of a conversation, with the reason: transcript
    records that are not a JSON object with a "type" (parse_error of stg_claude_code__session_lines)
    and subagent sidecars that do not parse. -#}

with

session_lines as (

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

subagent_metas as (

    select
        platform,
        source_uri,
        'document' as record_locator,
        'subagent_meta' as record_kind,
        'invalid JSON: the subagent .meta.json does not parse' as reason,
        raw_checksum,
        extracted_at,
        run_id
    from {{ ref('stg_claude_code__subagent_metas') }}
    where not is_valid_json

)

select * from session_lines
union all
select * from subagent_metas
