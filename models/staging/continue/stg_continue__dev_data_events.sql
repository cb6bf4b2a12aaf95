{#- One row per landed line of Continue's dev_data event logs (`dev_data/<schema>/*.jsonl`):
    `tokensGenerated` (one per LLM call: `model`, `provider`, `promptTokens`, `generatedTokens`;
    chat, agent, edit, autocomplete and title calls alike, with no session id) and
    `chatInteraction` (one per chat response: `sessionId`, `modelTitle`/`modelName`,
    `modelProvider`, `completion`). Both carry `timestamp` (ISO-8601; `createdAt` in some 0.2.0
    builds). A line landed twice (a rewritten log lands again as a new file version) is one event
    (`copy_rank` 1). Lines that cannot be attached to anything (not JSON, not an object, no time)
    say why in `parse_error`. -#}

with

source as (

    select * from {{ ref('base_continue__records') }}
    where record_kind in ('tokens_generated', 'chat_interaction')

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
        record_kind,
        source_file_version,
        run_id,
        source_version as app_version,

        ---------- ids
        {{ json_text('record_json', ['sessionId']) }} as native_session_id,

        ---------- strings
        {{ json_text('record_json', ['eventName']) }} as event_name,
        coalesce(
            {{ json_text('record_json', ['schema']) }},
            {{ json_text('record_json', ['schemaVersion']) }}
        ) as schema_version,
        coalesce(
            {{ json_text('record_json', ['model']) }},
            {{ json_text('record_json', ['modelName']) }}
        ) as model,
        {{ json_text('record_json', ['modelTitle']) }} as model_title,
        coalesce(
            {{ json_text('record_json', ['provider']) }},
            {{ json_text('record_json', ['modelProvider']) }}
        ) as provider_name,
        {{ json_text('record_json', ['completion']) }} as completion_text,

        ---------- numerics
        {{ try_cast_bigint(json_text('record_json', ['promptTokens'])) }} as prompt_tokens,
        {{ try_cast_bigint(json_text('record_json', ['generatedTokens'])) }} as generated_tokens,

        ---------- timestamps
        {{ to_utc_timestamp(
            "coalesce(" ~ json_text('record_json', ['timestamp']) ~ ", "
            ~ json_text('record_json', ['createdAt']) ~ ")"
        ) }} as occurred_at,
        extracted_at,

        ---------- the record
        is_valid_json,
        json_root_type

    from guarded

),

checked as (

    select
        *,
        case
            when not is_valid_json then 'invalid JSON: the dev_data line does not parse'
            when json_root_type != 'object'
                then
                    'not a Continue dev_data event: the JSON value is not an object ('
                    || json_root_type || ')'
            when occurred_at is null
                then 'Continue dev_data event without a valid "timestamp": it cannot be placed in time'
            when record_kind = 'chat_interaction' and native_session_id is null
                then 'Continue chatInteraction event without a "sessionId"'
            when record_kind = 'tokens_generated' and prompt_tokens is null and generated_tokens is null
                then 'Continue tokensGenerated event without "promptTokens" or "generatedTokens"'
        end as parse_error,
        row_number() over (
            partition by raw_checksum
            order by extracted_at asc, source_uri asc, source_file_version asc, record_ordinal asc
        ) as copy_rank
    from parsed

)

select * from checked
