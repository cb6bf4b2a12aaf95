{#- One row per landed Copilot Chat record that is an OpenTelemetry trace export (OTLP/JSON): a JSON
    object with a "resourceSpans" array, one document per `.jsonl` line (Visual Studio's and VS Code's
    Copilot file exporters) or a whole `.json` document. These records are not session-state entries:
    stg_copilot_chat__mutations leaves them out and stg_copilot_chat__otel_spans reads their spans.
    The same record landed twice at the same place is kept once. -#}

with

source as (

    select * from {{ ref('base_copilot_chat__records') }}
    where record_kind in ('session', 'mutation')

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by source_uri, source_file_version, record_locator
            order by extracted_at desc, run_id desc
        ) as landing_rank
    from source

),

validated as (

    select
        *,
        {{ json_is_valid('raw_text') }} as is_valid_json
    from deduplicated
    where landing_rank = 1

),

otlp as (

    select *
    from validated
    where
        case
            when is_valid_json and {{ json_type('raw_text') }} = 'object'
                then {{ json_type('raw_text', ['resourceSpans']) }}
        end = 'array'

)

select
    raw_checksum,
    platform,
    source_uri,
    record_locator,
    record_ordinal,
    record_kind,
    source_file_version,
    source_version,
    extracted_at,
    run_id,
    raw_text,
    {{ json_array_length('raw_text', ['resourceSpans']) }} as resource_span_count
from otlp
