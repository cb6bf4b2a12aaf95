{#- One row per landed Continue session document (`sessions/<id>.json`), typed. Continue rewrites
    the file on every change, so a session can have several landed versions (and copies of the
    sessions folder give several files): the newest (file mtime, then file version, then landing)
    is current, the others are `is_superseded` and the message models skip them. Records that are
    not a JSON object with a `history` array keep their raw text and say why in `parse_error`;
    they become dead letters. `usage` (`SessionUsage`: OpenAI-style Usage + `totalCost` in USD) is
    only written by Continue since December 2025. -#}

with

source as (

    select * from {{ ref('base_continue__records') }}
    where record_kind = 'session'

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
        coalesce(
            {{ json_text('record_json', ['sessionId']) }},
            replace({{ file_name('source_uri') }}, '.json', '')
        ) as native_session_id,
        {{ json_text('record_json', ['sessionId']) }} is null as is_session_id_from_file_name,

        ---------- strings
        {{ json_text('record_json', ['title']) }} as title,
        {{ json_text('record_json', ['workspaceDirectory']) }} as workspace_directory,
        {{ continue_uri_to_path(json_text('record_json', ['workspaceDirectory'])) }} as workspace_path,
        {{ json_text('record_json', ['mode']) }} as chat_mode,
        {{ json_text('record_json', ['chatModelTitle']) }} as chat_model_title,

        ---------- numerics: the session's usage (newer versions)
        {{ json_array_length('record_json', ['history']) }} as history_length,
        {{ try_cast_bigint(json_text('record_json', ['usage', 'promptTokens'])) }}
            as usage_prompt_tokens,
        {{ try_cast_bigint(json_text('record_json', ['usage', 'completionTokens'])) }}
            as usage_completion_tokens,
        {{ try_cast_bigint(json_text('record_json', ['usage', 'promptTokensDetails', 'cachedTokens'])) }}
            as usage_cached_tokens,
        {{ try_cast_bigint(json_text('record_json', ['usage', 'promptTokensDetails', 'cacheWriteTokens'])) }}
            as usage_cache_write_tokens,
        {{ try_cast_bigint(json_text('record_json', ['usage', 'completionTokensDetails', 'reasoningTokens'])) }}
            as usage_reasoning_tokens,
        {{ try_cast_double(json_text('record_json', ['usage', 'totalCost'])) }} as usage_total_cost,

        ---------- booleans
        is_valid_json,

        ---------- timestamps
        source_mtime,
        extracted_at,

        ---------- the record
        record_json,
        case
            when not is_valid_json then 'invalid JSON: the session file does not parse'
            when json_root_type != 'object'
                then 'not a Continue session: the JSON value is not an object (' || json_root_type || ')'
            when coalesce({{ json_type('record_json', ['history']) }}, 'missing') != 'array'
                then 'not a Continue session: the object has no "history" array'
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
                    order by
                        source_mtime desc nulls last,
                        source_file_version desc,
                        extracted_at desc,
                        source_uri asc
                )
        end as version_rank
    from parsed

)

select
    *,
    coalesce(version_rank != 1, true) as is_superseded
from ranked
