{#- One row per landed Chat Completions API call: the request body (`request_json`, the whole
    message history) with its answer (`completion_json`, a chat.completion) or its error
    (`error_json`), whichever the log holds, from every shape that carries content:
    - Batch: each output line joined to its input line on `custom_id`, among input lines in the
      same folder (the input file whose name, with input/output/request(s)/response(s)/result(s)
      blanked, equals the output file's is preferred; then the newest landed version). An input
      line no output line answers is a call without an answer yet; an output line with no input
      line is an answer without its history.
    - exchange lines (`request` / `response`, each possibly wrapped in `body`), bare
      chat.completion objects and APIM GatewayLogs entries with bodies: one entry, one call.
    `call_key` is the call's own id: the chat.completion id (`chatcmpl-...`) when there is one,
    else the batch request id, the APIM correlation id, or the input line's file and custom_id.
    The same call landed twice (two runs, two logs of one call) is two rows with one call_key;
    `copy_rank` 1 is the one the other models use (a usable copy, with the request, with the
    answer, first landed).
    `call_at` is when the call happened: the later of the log's own time (an exchange's
    `timestamp`, an APIM entry's `time`: when the request arrived) and the chat.completion's
    `created` (whole seconds, so it can be earlier than the request time); for a batch line
    without a chat.completion (no answer yet, or an error), the modification time of the output
    file, else of the input file (`call_at_source` file_mtime): Batch lines carry no time. Calls that are not Chat Completions (another batch
    endpoint, a response that is not a chat.completion) say why in `unusable_reason`. -#}

-- a table, not a view: the conversation rebuild reads it several times, and every reader of a
-- view would parse the raw calls again
{{ config(materialized='table') }}

with

entries as (

    select * from {{ ref('stg_openai_api__log_entries') }}
    where parse_error is null

),

batch_requests as (

    select
        *,
        {{ json_text('entry_json', ['custom_id']) }} as custom_id,
        {{ regex_extract('source_uri', '^(.*)/[^/]*$') }} as source_dir,
        regexp_replace(
            lower({{ file_name('source_uri') }}),
            '(input|output|requests|request|responses|response|results|result)',
            '*'
        ) as pair_key
    from entries
    where entry_shape = 'batch_request'

),

batch_responses as (

    select
        *,
        {{ json_text('entry_json', ['custom_id']) }} as custom_id,
        {{ regex_extract('source_uri', '^(.*)/[^/]*$') }} as source_dir,
        regexp_replace(
            lower({{ file_name('source_uri') }}),
            '(input|output|requests|request|responses|response|results|result)',
            '*'
        ) as pair_key
    from entries
    where entry_shape = 'batch_response'

),

batch_pair_candidates as (

    select
        batch_responses.entry_id as response_entry_id,
        batch_requests.entry_id as request_entry_id,
        batch_requests.source_uri as request_source_uri,
        batch_requests.custom_id,
        row_number() over (
            partition by batch_responses.entry_id
            order by
                case when batch_requests.pair_key = batch_responses.pair_key then 0 else 1 end,
                batch_requests.source_file_version desc,
                batch_requests.extracted_at desc,
                batch_requests.source_uri asc,
                batch_requests.record_ordinal asc
        ) as pair_rank
    from batch_responses
    inner join batch_requests
        on
            batch_responses.custom_id = batch_requests.custom_id
            and batch_responses.source_dir = batch_requests.source_dir

),

batch_pairs as (

    select * from batch_pair_candidates
    where pair_rank = 1

),

-- one row per call with the request entry and the response entry it was read from
call_entries as (

    select
        'batch' as call_source,
        batch_requests.entry_id as request_entry_id,
        batch_responses.entry_id as response_entry_id
    from batch_responses
    left join batch_pairs
        on batch_responses.entry_id = batch_pairs.response_entry_id
    left join batch_requests
        on batch_pairs.request_entry_id = batch_requests.entry_id

    union all

    -- input lines that no output line (of any landed version) answers yet
    select
        'batch' as call_source,
        batch_requests.entry_id as request_entry_id,
        cast(null as {{ dbt.type_string() }}) as response_entry_id
    from batch_requests
    where
        not exists (
            select 1 as answered
            from batch_pairs
            where
                batch_pairs.request_source_uri = batch_requests.source_uri
                and batch_pairs.custom_id = batch_requests.custom_id
        )

    union all

    select
        entry_shape as call_source,
        entry_id as request_entry_id,
        entry_id as response_entry_id
    from entries
    where entry_shape in ('exchange', 'completion', 'apim_gateway')

),

bodies as (

    select
        call_entries.call_source,
        request_entry.entry_id as request_entry_id,
        response_entry.entry_id as response_entry_id,
        coalesce(response_entry.entry_json, request_entry.entry_json) as entry_json,
        coalesce(response_entry.api_version, request_entry.api_version) as api_version,
        case call_entries.call_source
            when 'batch' then {{ json_value('request_entry.entry_json', ['body']) }}
            when 'apim_gateway' then request_entry.gateway_request_json
            when 'exchange' then case
                when {{ json_type('request_entry.entry_json', ['request', 'body']) }} = 'object'
                    then {{ json_value('request_entry.entry_json', ['request', 'body']) }}
                when {{ json_type('request_entry.entry_json', ['request']) }} = 'object'
                    then {{ json_value('request_entry.entry_json', ['request']) }}
            end
        end as request_json,
        case call_entries.call_source
            when 'batch'
                then case
                    when {{ json_type('response_entry.entry_json', ['response', 'body']) }} = 'object'
                        then {{ json_value('response_entry.entry_json', ['response', 'body']) }}
                end
            when 'apim_gateway' then response_entry.gateway_response_json
            when 'exchange'
                then case
                    when {{ json_type('response_entry.entry_json', ['response', 'body']) }} = 'object'
                        then {{ json_value('response_entry.entry_json', ['response', 'body']) }}
                    when {{ json_type('response_entry.entry_json', ['response']) }} = 'object'
                        then {{ json_value('response_entry.entry_json', ['response']) }}
                end
            when 'completion' then response_entry.entry_json
        end as response_json,
        case
            when {{ json_type('response_entry.entry_json', ['error']) }} = 'object'
                then {{ json_value('response_entry.entry_json', ['error']) }}
        end as envelope_error_json,
        {{ json_text('request_entry.entry_json', ['custom_id']) }} as request_custom_id,
        {{ json_text('request_entry.entry_json', ['url']) }} as request_url,

        ---------- request-side lineage
        request_entry.raw_checksum as request_raw_checksum,
        request_entry.source_uri as request_source_uri,
        request_entry.record_locator as request_record_locator,
        request_entry.record_ordinal as request_record_ordinal,
        request_entry.source_file_version as request_source_file_version,
        request_entry.source_mtime as request_source_mtime,
        request_entry.run_id as request_run_id,
        request_entry.extracted_at as request_extracted_at,

        ---------- response-side lineage
        response_entry.raw_checksum as response_raw_checksum,
        response_entry.source_uri as response_source_uri,
        response_entry.record_locator as response_record_locator,
        response_entry.record_ordinal as response_record_ordinal,
        response_entry.source_file_version as response_source_file_version,
        response_entry.source_mtime as response_source_mtime,
        response_entry.run_id as response_run_id,
        response_entry.extracted_at as response_extracted_at
    from call_entries
    left join entries as request_entry
        on call_entries.request_entry_id = request_entry.entry_id
    left join entries as response_entry
        on call_entries.response_entry_id = response_entry.entry_id

),

typed as (

    select
        *,
        case
            when {{ json_type('response_json', ['choices']) }} = 'array' then response_json
        end as completion_json,
        coalesce(
            envelope_error_json,
            case
                when {{ json_type('response_json', ['error']) }} = 'object'
                    then {{ json_value('response_json', ['error']) }}
            end
        ) as error_json,
        coalesce({{ json_type('request_json', ['messages']) }} = 'array', false) as has_request_messages,
        -- an explicit conversation id the application put in the request's or the log's metadata
        coalesce(
            {{ json_text('request_json', ['metadata', 'conversation_id']) }},
            {{ json_text('request_json', ['metadata', 'session_id']) }},
            {{ json_text('request_json', ['metadata', 'thread_id']) }},
            {{ json_text('entry_json', ['metadata', 'conversation_id']) }},
            {{ json_text('entry_json', ['metadata', 'session_id']) }},
            {{ json_text('entry_json', ['metadata', 'thread_id']) }},
            {{ json_text('entry_json', ['conversation_id']) }},
            {{ json_text('entry_json', ['session_id']) }}
        ) as conversation_key,
        case
            when call_source in ('exchange', 'apim_gateway')
                then {{ to_utc_timestamp(
                    "coalesce("
                    ~ json_text('entry_json', ['timestamp']) ~ ", "
                    ~ json_text('entry_json', ['time']) ~ ", "
                    ~ json_text('entry_json', ['start_time']) ~ ", "
                    ~ json_text('entry_json', ['request_time']) ~ ", "
                    ~ json_text('entry_json', ['created_at']) ~ ")"
                ) }}
        end as logged_at
    from bodies

),

keyed as (

    select
        ---------- ids
        coalesce(
            {{ json_text('completion_json', ['id']) }},
            case when call_source = 'batch' then {{ json_text('entry_json', ['id']) }} end,
            case
                when call_source = 'apim_gateway'
                    then 'apim:' || {{ json_text('entry_json', ['correlationId']) }}
            end,
            case
                when call_source = 'exchange'
                    then coalesce(
                        {{ json_text('entry_json', ['id']) }},
                        {{ json_text('entry_json', ['request_id']) }}
                    )
            end,
            case
                when request_custom_id is not null
                    then 'batch:' || request_source_uri || '#' || request_custom_id
            end,
            coalesce(response_source_uri, request_source_uri) || '#'
            || coalesce(response_record_locator, request_record_locator)
        ) as call_key,
        call_source,
        coalesce(request_custom_id, {{ json_text('entry_json', ['custom_id']) }}) as custom_id,
        case when call_source = 'batch' then {{ json_text('entry_json', ['id']) }} end
            as batch_request_id,
        coalesce(
            {{ json_text('entry_json', ['response', 'request_id']) }},
            {{ json_text('entry_json', ['request_id']) }},
            {{ json_text('entry_json', ['correlationId']) }}
        ) as request_id,
        {{ json_text('completion_json', ['id']) }} as response_id,
        conversation_key,
        coalesce(
            {{ json_text('request_json', ['user']) }},
            {{ json_text('request_json', ['safety_identifier']) }}
        ) as end_user,

        ---------- strings
        {{ json_text('request_json', ['model']) }} as requested_model,
        {{ json_text('completion_json', ['model']) }} as response_model,
        {{ json_text('completion_json', ['system_fingerprint']) }} as system_fingerprint,
        {{ json_text('completion_json', ['service_tier']) }} as service_tier,
        api_version,
        request_url,

        ---------- numerics
        coalesce(
            {{ try_cast_bigint(json_text('entry_json', ['response', 'status_code'])) }},
            {{ try_cast_bigint(json_text('entry_json', ['response', 'status'])) }},
            {{ try_cast_bigint(json_text('entry_json', ['properties', 'responseCode'])) }},
            {{ try_cast_bigint(json_text('entry_json', ['status_code'])) }}
        ) as status_code,
        coalesce(
            {{ try_cast_bigint(json_text('entry_json', ['durationMs'])) }},
            {{ try_cast_bigint(json_text('entry_json', ['duration_ms'])) }},
            {{ try_cast_bigint(json_text('entry_json', ['latency_ms'])) }}
        ) as duration_ms,
        {{ json_array_length('request_json', ['messages']) }} as request_message_count,
        {{ try_cast_bigint(json_text('completion_json', ['usage', 'prompt_tokens'])) }} as prompt_tokens,
        {{ try_cast_bigint(json_text('completion_json', ['usage', 'completion_tokens'])) }}
            as completion_tokens,
        {{ try_cast_bigint(json_text('completion_json', ['usage', 'total_tokens'])) }} as total_tokens,
        {{ try_cast_bigint(json_text('completion_json', ['usage', 'prompt_tokens_details', 'cached_tokens'])) }}
            as cached_tokens,
        {{ try_cast_bigint(json_text('completion_json', ['usage', 'completion_tokens_details', 'reasoning_tokens'])) }}
            as reasoning_tokens,

        ---------- booleans
        has_request_messages,
        completion_json is not null as has_completion,
        error_json is not null as has_error,

        ---------- timestamps
        {{ to_utc_timestamp(json_text('completion_json', ['created'])) }} as response_created_at,
        logged_at,

        ---------- the call
        request_json,
        completion_json,
        error_json,
        case
            when request_url is not null and request_url not like '%chat/completions%'
                then 'not a Chat Completions request: the batch line posts to ' || request_url
            when response_json is not null and completion_json is null and error_json is null
                then
                    'the response is not a chat.completion (object '
                    || coalesce({{ json_text('response_json', ['object']) }}, 'missing') || ')'
            when not has_request_messages and completion_json is null and error_json is null
                then 'neither request messages nor a chat.completion nor an error'
        end as unusable_reason,

        ---------- lineage
        request_entry_id,
        request_raw_checksum,
        request_source_uri,
        request_record_locator,
        request_record_ordinal,
        request_source_file_version,
        request_source_mtime,
        request_run_id,
        request_extracted_at,
        response_entry_id,
        response_raw_checksum,
        response_source_uri,
        response_record_locator,
        response_record_ordinal,
        response_source_file_version,
        response_source_mtime,
        response_run_id,
        response_extracted_at

    from typed

),

ranked as (

    select
        *,
        row_number() over (
            partition by call_key
            order by
                case when unusable_reason is null then 0 else 1 end,
                case when has_request_messages then 0 else 1 end,
                case when has_completion then 0 else 1 end,
                coalesce(response_extracted_at, request_extracted_at) asc,
                coalesce(response_source_uri, request_source_uri) asc,
                coalesce(response_record_ordinal, request_record_ordinal) asc,
                coalesce(response_source_file_version, request_source_file_version) desc
        ) as copy_rank,
        case
            when coalesce(logged_at, response_created_at) is not null
                then greatest(
                    coalesce(logged_at, response_created_at), coalesce(response_created_at, logged_at)
                )
            else coalesce(response_source_mtime, request_source_mtime)
        end as call_at,
        case
            when logged_at is not null and response_created_at is not null then 'logged_and_created'
            when logged_at is not null then 'logged'
            when response_created_at is not null then 'created'
            when coalesce(response_source_mtime, request_source_mtime) is not null then 'file_mtime'
        end as call_at_source
    from keyed

)

select * from ranked
