{#- One row per landed Copilot Chat session-state record, read as an entry of the VS Code mutation
    log (objectMutationLog.ts): a `.jsonl` line is one entry (kind 0 full state, 1 set at path k,
    2 push at path k with optional truncate index i, 3 delete at path k); a flat `.json` session
    document counts as one kind-0 entry holding the whole state. OpenTelemetry trace exports landed
    from the same folders (an object with a "resourceSpans" array) are not entries: they are left
    out here and read by stg_copilot_chat__otel_records. The same record landed twice at
    the same place is kept once. `parse_error` says why a record cannot be replayed; only entries of
    the latest version of each file, from its last kind-0 entry on, are replayed
    (`is_replayed`). -#}

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

-- OpenTelemetry trace exports (an object with a "resourceSpans" array) are read by
-- stg_copilot_chat__otel_records instead
session_state as (

    select *
    from validated
    where
        coalesce(
            case
                when is_valid_json and {{ json_type('raw_text') }} = 'object'
                    then {{ json_type('raw_text', ['resourceSpans']) }}
            end,
            'missing'
        ) != 'array'

),

guarded as (

    select
        *,
        case when is_valid_json then {{ json_type('raw_text') }} end as json_root_type,
        case
            when is_valid_json and {{ json_type('raw_text') }} = 'object' then raw_text
        end as record_json
    from session_state

),

parsed as (

    select
        ---------- lineage
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

        ---------- the entry
        case when record_kind = 'session' then 'flat_json' else 'mutation_log' end as file_format,
        case
            when record_kind = 'session' and record_json is not null then 0
            else {{ try_cast_bigint(json_text('record_json', ['kind'])) }}
        end as entry_kind,
        {{ json_value('record_json', ['k']) }} as path_json,
        {{ json_array_length('record_json', ['k']) }} as path_length,
        {{ json_text('record_json', ['k', 0]) }} as path_0,
        {{ json_text('record_json', ['k', 1]) }} as path_1,
        {{ json_text('record_json', ['k', 2]) }} as path_2,
        {{ json_text('record_json', ['k', 3]) }} as path_3,
        case
            when record_kind = 'session' then record_json
            else {{ json_value('record_json', ['v']) }}
        end as value_json,
        case when record_kind = 'session' then 'object' else {{ json_type('record_json', ['v']) }} end
            as value_type,
        {{ json_array_length('record_json', ['v']) }} as value_length,
        {{ try_cast_bigint(json_text('record_json', ['i'])) }} as truncate_index,
        json_root_type,
        is_valid_json
    from guarded

),

checked as (

    select
        *,
        case
            when not is_valid_json then 'invalid JSON: the record does not parse'
            when json_root_type != 'object'
                then 'not a Copilot Chat record: the JSON value is not an object (' || json_root_type || ')'
            when file_format = 'flat_json' and {{ json_type('value_json', ['requests']) }} = 'array'
                then null
            when file_format = 'flat_json'
                then 'not a Copilot Chat session: the document has no "requests" array'
            when entry_kind is null or entry_kind not in (0, 1, 2, 3)
                then 'not a Copilot Chat log entry: "kind" is not 0, 1, 2 or 3'
            when entry_kind = 0 and coalesce(value_type, 'missing') != 'object'
                then 'not a Copilot Chat log entry: a kind-0 entry without an object "v"'
            when entry_kind = 0 and {{ json_type('value_json', ['requests']) }} != 'array'
                then 'not a Copilot Chat session: the kind-0 state has a "requests" that is not an array'
            when entry_kind in (1, 2, 3) and path_length is null
                then 'not a Copilot Chat log entry: no "k" path array'
            when entry_kind = 2 and value_type is not null and value_type != 'array'
                then 'not a Copilot Chat log entry: a kind-2 push whose "v" is not an array'
        end as entry_error
    from parsed

),

file_versions as (

    select
        *,
        max(source_file_version) over (partition by source_uri) as latest_file_version,
        min(record_ordinal) over (partition by source_uri, source_file_version) as first_ordinal
    from checked

),

starts as (

    select
        *,
        max(case when record_ordinal = first_ordinal and entry_error is null and entry_kind = 0 then 1 else 0 end)
            over (partition by source_uri, source_file_version) as starts_with_snapshot,
        max(case when entry_error is null and entry_kind = 0 then record_ordinal end)
            over (partition by source_uri, source_file_version) as snapshot_ordinal
    from file_versions

),

final as (

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
        file_format,
        entry_kind,
        path_json,
        path_length,
        path_0,
        path_1,
        path_2,
        path_3,
        value_json,
        value_type,
        value_length,
        truncate_index,
        source_file_version = latest_file_version as is_latest_file_version,
        snapshot_ordinal,
        coalesce(
            entry_error,
            case
                when starts_with_snapshot = 0
                    then 'unusable mutation log: its first line is not a valid kind-0 snapshot'
            end
        ) as parse_error
    from starts

)

select
    *,
    coalesce(
        parse_error is null and is_latest_file_version and record_ordinal >= snapshot_ordinal,
        false
    ) as is_replayed
from final
