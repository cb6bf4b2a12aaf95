{#- Copilot Chat records that cannot become part of a session, with the reason: session files and
    mutation-log lines that do not parse or do not replay (parse_error of
    stg_copilot_chat__mutations), and workspace.json files that do not parse. -#}

with

mutations as (

    select
        platform,
        source_uri,
        record_locator,
        record_kind,
        parse_error as reason,
        raw_checksum,
        extracted_at,
        run_id
    from {{ ref('stg_copilot_chat__mutations') }}
    where parse_error is not null

),

workspaces as (

    select
        platform,
        source_uri,
        record_locator,
        'workspace' as record_kind,
        parse_error as reason,
        raw_checksum,
        extracted_at,
        run_id
    from {{ ref('stg_copilot_chat__workspaces') }}
    where parse_error is not null

)

select * from mutations
union all
select * from workspaces
