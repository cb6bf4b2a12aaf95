{#- Copilot Chat records that cannot become part of a session, with the reason: session files and
    mutation-log lines that do not parse or do not replay (parse_error of
    stg_copilot_chat__mutations), workspace.json files that do not parse, OpenTelemetry trace
    records without any GenAI span, and records whose execute_tool span has no message in its
    trace to attach to (the invoke_agent / chat span has not been exported yet). -#}

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

),

otel_records_without_genai_spans as (

    select
        records.platform,
        records.source_uri,
        records.record_locator,
        records.record_kind,
        'not a Copilot Chat conversation: an OpenTelemetry trace record without GenAI spans '
        || '(no span with gen_ai.operation.name invoke_agent, chat or execute_tool)' as reason,
        records.raw_checksum,
        records.extracted_at,
        records.run_id
    from {{ ref('stg_copilot_chat__otel_records') }} as records
    where not exists (
        select spans.span_id
        from {{ ref('stg_copilot_chat__otel_spans') }} as spans
        where
            spans.source_uri = records.source_uri
            and spans.source_file_version = records.source_file_version
            and spans.record_locator = records.record_locator
    )

),

otel_orphan_tools as (

    select distinct
        spans.platform,
        spans.source_uri,
        spans.record_locator,
        records.record_kind,
        'unattached OpenTelemetry span: an execute_tool span whose trace has no chat or invoke_agent '
        || 'span of its conversation to attach it to' as reason,
        spans.raw_checksum,
        spans.extracted_at,
        spans.run_id
    from {{ ref('stg_copilot_chat__otel_spans') }} as spans
    inner join {{ ref('stg_copilot_chat__otel_records') }} as records
        on
            spans.source_uri = records.source_uri
            and spans.source_file_version = records.source_file_version
            and spans.record_locator = records.record_locator
    where
        spans.copy_rank = 1
        and spans.span_type = 'execute_tool'
        and spans.message_span_id is null

)

select * from mutations
union all
select * from workspaces
union all
select * from otel_records_without_genai_spans
union all
select * from otel_orphan_tools
