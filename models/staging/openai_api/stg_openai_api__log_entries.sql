{#- One row per log entry of the OpenAI / Azure OpenAI API logs: a landed JSONL line, or each
    element of a line that wraps entries in a `records` array (Azure Monitor's Event Hub and
    archive layout). Each entry is classified by its shape (`entry_shape`):
      batch_request     {custom_id, method, url, body}: a Batch API input line
      batch_response    {id, custom_id, response{status_code, request_id, body}, error}: a Batch
                        API output line
      exchange          {request, response, ...}: a request/response pair as proxies and SDK
                        loggers write it (either side may be wrapped in `body`)
      completion        a bare `chat.completion` object (Stored Completions, a response log)
      apim_gateway      an Azure API Management GatewayLogs entry whose logged request or
                        response body is a Chat Completions request or chat.completion
      apim_gateway_metadata
                        a GatewayLogs entry without such a body (bodies not logged, or another
                        operation): counted with the diagnostics, no content
      azure_diagnostic  an Azure resource log entry (Azure OpenAI RequestResponse, Audit, Trace,
                        AzureOpenAIRequestUsage ...): no content, no tokens
    Entries of no known shape (and lines that are not a JSON object) say why in `parse_error`;
    they become dead letters. -#}

with

source as (

    select * from {{ ref('base_openai_api__records') }}
    where record_kind = 'log_line'

),

guarded as (

    {{ select_json_guarded('source') }}

),

-- a line whose object only wraps entries in `records` (and has no envelope of its own)
wrappers as (

    select
        *,
        coalesce(
            {{ json_type('record_json', ['records']) }} = 'array'
            and {{ json_type('record_json', ['category']) }} is null
            and {{ json_type('record_json', ['custom_id']) }} is null
            and {{ json_type('record_json', ['request']) }} is null,
            false
        ) as is_records_wrapper
    from guarded

),

entries as (

    select
        platform,
        source_uri,
        record_locator,
        record_ordinal,
        raw_checksum,
        source_version,
        source_file_version,
        source_mtime,
        extracted_at,
        run_id,
        is_valid_json,
        json_root_type,
        cast(null as {{ dbt.type_bigint() }}) as entry_index,
        record_json as entry_json
    from wrappers
    where not is_records_wrapper

    union all

    select
        wrappers.platform,
        wrappers.source_uri,
        wrappers.record_locator,
        wrappers.record_ordinal,
        wrappers.raw_checksum,
        wrappers.source_version,
        wrappers.source_file_version,
        wrappers.source_mtime,
        wrappers.extracted_at,
        wrappers.run_id,
        wrappers.is_valid_json,
        {{ json_type('entry.element_json') }} as json_root_type,
        entry.element_index as entry_index,
        case when {{ json_type('entry.element_json') }} = 'object' then entry.element_json end
            as entry_json
    from wrappers
    cross join lateral {{ json_each_element('wrappers.record_json', ['records'], 'entry') }}
    where wrappers.is_records_wrapper

),

-- an APIM GatewayLogs entry's bodies are JSON held in strings
gateway_bodies as (

    select
        *,
        case
            when {{ json_text('entry_json', ['category']) }} = 'GatewayLogs'
                then coalesce(
                    {{ json_text('entry_json', ['properties', 'requestBody']) }},
                    {{ json_text('entry_json', ['properties', 'backendRequestBody']) }}
                )
        end as gateway_request_body,
        case
            when {{ json_text('entry_json', ['category']) }} = 'GatewayLogs'
                then coalesce(
                    {{ json_text('entry_json', ['properties', 'responseBody']) }},
                    {{ json_text('entry_json', ['properties', 'backendResponseBody']) }}
                )
        end as gateway_response_body
    from entries

),

gateway_parsed as (

    select
        *,
        {{ openai_api_json_object_or_null('gateway_request_body') }} as gateway_request_json,
        {{ openai_api_json_object_or_null('gateway_response_body') }} as gateway_response_json
    from gateway_bodies

),

gateway_flags as (

    select
        *,
        coalesce(
            {{ json_type('gateway_request_json', ['messages']) }} = 'array'
            or {{ json_type('gateway_response_json', ['choices']) }} = 'array',
            false
        ) as gateway_has_chat_body,
        (gateway_request_body is not null and gateway_request_json is null)
        or (gateway_response_body is not null and gateway_response_json is null)
            as gateway_body_unparsed
    from gateway_parsed

),

shaped as (

    select
        *,
        case
            when entry_json is null then null
            when
                {{ json_type('entry_json', ['custom_id']) }} is not null
                and (
                    {{ json_type('entry_json', ['response']) }} = 'object'
                    or {{ json_type('entry_json', ['error']) }} = 'object'
                )
                then 'batch_response'
            when
                {{ json_type('entry_json', ['custom_id']) }} is not null
                and {{ json_type('entry_json', ['body']) }} = 'object'
                then 'batch_request'
            when {{ json_text('entry_json', ['category']) }} = 'GatewayLogs'
                then case
                    when gateway_has_chat_body then 'apim_gateway'
                    when not gateway_body_unparsed then 'apim_gateway_metadata'
                end
            when
                {{ json_type('entry_json', ['category']) }} = 'string'
                and {{ json_type('entry_json', ['operationName']) }} = 'string'
                and {{ json_type('entry_json', ['time']) }} = 'string'
                then 'azure_diagnostic'
            when
                {{ json_type('entry_json', ['request']) }} = 'object'
                or {{ json_type('entry_json', ['response']) }} = 'object'
                then 'exchange'
            when {{ json_text('entry_json', ['object']) }} = 'chat.completion' then 'completion'
        end as entry_shape
    from gateway_flags

),

final as (

    select
        ---------- lineage
        platform,
        source_uri,
        record_locator,
        record_ordinal,
        raw_checksum,
        source_file_version,
        source_mtime,
        extracted_at,
        run_id,

        ---------- the entry
        {{ deterministic_id([
            'source_uri', 'record_locator', 'entry_index', 'raw_checksum', 'run_id',
            'source_file_version'
        ]) }} as entry_id,
        entry_index,
        entry_shape,
        source_version as api_version,
        entry_json,
        case when entry_shape = 'apim_gateway' then gateway_request_json end as gateway_request_json,
        case when entry_shape = 'apim_gateway' then gateway_response_json end as gateway_response_json,
        case
            when not is_valid_json then 'invalid JSON: the line does not parse'
            when entry_index is null and entry_json is null
                then 'not an API log entry: the JSON value is not an object (' || json_root_type || ')'
            when entry_json is null
                then
                    'not an API log entry: records[' || cast(entry_index as {{ dbt.type_string() }})
                    || '] is not an object (' || coalesce(json_root_type, 'missing') || ')'
            when entry_shape is null and {{ json_text('entry_json', ['category']) }} = 'GatewayLogs'
                then
                    'an APIM GatewayLogs entry whose logged body is not JSON (truncated: '
                    || coalesce({{ json_text('entry_json', ['truncated']) }}, 'not said') || ')'
            when {{ json_text('entry_json', ['object']) }} = 'chat.completion.chunk'
                then 'a streamed chat.completion.chunk: streamed responses are not reassembled'
            when entry_shape is null and {{ json_text('entry_json', ['object']) }} is not null
                then
                    'not a Chat Completions log entry: object "'
                    || {{ json_text('entry_json', ['object']) }} || '"'
            when entry_shape is null
                then 'not an API log entry: no batch, request/response, chat.completion or Azure log shape'
        end as parse_error

    from shaped

)

select * from final
