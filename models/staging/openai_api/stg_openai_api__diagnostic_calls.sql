{#- One row per Azure log entry that records an API call without its content: Azure OpenAI
    resource diagnostic logs (category RequestResponse, Audit, Trace, AzureOpenAIRequestUsage ...)
    and API Management GatewayLogs entries whose bodies were not logged or are not Chat Completions.
    These carry no prompt, no completion and no token counts, so they make no messages: they are
    counted here (calls, durations, status, deployments), never turned into invented messages and
    never dead letters. A diagnostic log's `properties` is sometimes a JSON string; both forms
    are read. requestTime / responseTime are .NET ticks. -#}

with

entries as (

    select * from {{ ref('stg_openai_api__log_entries') }}
    where entry_shape in ('azure_diagnostic', 'apim_gateway_metadata')

),

with_properties as (

    select
        *,
        case
            when {{ json_type('entry_json', ['properties']) }} = 'object'
                then {{ json_value('entry_json', ['properties']) }}
            when {{ json_type('entry_json', ['properties']) }} = 'string'
                then {{ openai_api_json_object_or_null(json_text('entry_json', ['properties'])) }}
        end as properties_json
    from entries

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
        extracted_at,
        run_id,

        ---------- ids
        entry_index,
        {{ json_text('entry_json', ['correlationId']) }} as correlation_id,
        {{ json_text('entry_json', ['resourceId']) }} as resource_id,

        ---------- strings
        entry_shape,
        {{ json_text('entry_json', ['category']) }} as category,
        {{ json_text('entry_json', ['operationName']) }} as operation_name,
        coalesce(
            {{ json_text('entry_json', ['resultSignature']) }},
            {{ json_text('properties_json', ['responseCode']) }}
        ) as result_signature,
        {{ json_text('entry_json', ['resultType']) }} as result_type,
        {{ json_text('entry_json', ['location']) }} as azure_region,
        {{ json_text('entry_json', ['callerIpAddress']) }} as caller_ip_address,
        {{ json_text('properties_json', ['apiName']) }} as api_name,
        api_version,
        coalesce(
            {{ json_text('properties_json', ['operationId']) }},
            {{ json_text('entry_json', ['operationName']) }}
        ) as api_operation,
        {{ json_text('properties_json', ['streamType']) }} as stream_type,
        {{ json_text('properties_json', ['modelDeploymentName']) }} as model_deployment_name,
        {{ json_text('properties_json', ['modelName']) }} as model_name,
        {{ json_text('properties_json', ['modelVersion']) }} as model_version,
        {{ json_text('properties_json', ['url']) }} as request_url,

        ---------- numerics
        {{ try_cast_bigint(json_text('entry_json', ['durationMs'])) }} as duration_ms,
        coalesce(
            {{ try_cast_bigint(json_text('properties_json', ['requestLength'])) }},
            {{ try_cast_bigint(json_text('properties_json', ['requestSize'])) }}
        ) as request_bytes,
        coalesce(
            {{ try_cast_bigint(json_text('properties_json', ['responseLength'])) }},
            {{ try_cast_bigint(json_text('properties_json', ['responseSize'])) }}
        ) as response_bytes,

        ---------- booleans
        coalesce(
            {{ json_text('entry_json', ['operationName']) }} like 'ChatCompletions%'
            or {{ json_text('properties_json', ['operationId']) }} like 'ChatCompletions%',
            false
        ) as is_chat_completion,

        ---------- timestamps
        {{ to_utc_timestamp(json_text('entry_json', ['time'])) }} as occurred_at,
        {{ openai_api_ticks_to_timestamp(json_text('properties_json', ['requestTime'])) }} as request_at,
        {{ openai_api_ticks_to_timestamp(json_text('properties_json', ['responseTime'])) }} as response_at

    from with_properties

)

select * from final
