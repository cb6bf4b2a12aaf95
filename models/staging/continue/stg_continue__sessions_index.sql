{#- One row per landed entry of Continue's session index (`sessions/sessions.json`:
    `{sessionId, title, dateCreated, workspaceDirectory, messageCount?}`). `dateCreated` is epoch
    milliseconds written as a string; it is the only time Continue records for a session's start.
    The index is rewritten whenever a session is saved, so an entry lands many times: the newest
    landing per session is current (`is_current`). Entries that are not an object with a
    `sessionId` say why in `parse_error`. -#}

with

source as (

    select * from {{ ref('base_continue__records') }}
    where record_kind = 'sessions_index'

),

guarded as (

    {{ select_json_guarded('source') }}

),

parsed as (

    select
        ---------- lineage
        raw_checksum,
        platform,
        source_uri,
        record_locator,
        record_ordinal,
        source_file_version,
        run_id,

        ---------- ids
        {{ json_text('record_json', ['sessionId']) }} as native_session_id,

        ---------- strings
        {{ json_text('record_json', ['title']) }} as title,
        {{ json_text('record_json', ['workspaceDirectory']) }} as workspace_directory,
        {{ json_text('record_json', ['dateCreated']) }} as date_created_text,

        ---------- numerics
        {{ try_cast_bigint(json_text('record_json', ['messageCount'])) }} as message_count,

        ---------- timestamps
        {{ to_utc_timestamp(json_text('record_json', ['dateCreated'])) }} as created_at,
        source_mtime,
        extracted_at,

        ---------- the record
        case
            when not is_valid_json then 'invalid JSON: the sessions.json entry does not parse'
            when json_root_type != 'object'
                then
                    'not a Continue session index entry: the JSON value is not an object ('
                    || json_root_type || ')'
            when {{ json_text('record_json', ['sessionId']) }} is null
                then 'not a Continue session index entry: no "sessionId"'
        end as parse_error

    from guarded

),

ranked as (

    select
        *,
        case
            when parse_error is null
                then row_number() over (
                    partition by native_session_id, parse_error is null
                    order by extracted_at desc, source_file_version desc, source_uri asc, record_ordinal asc
                )
        end as landing_rank
    from parsed

)

select
    *,
    coalesce(landing_rank = 1, false) as is_current
from ranked
