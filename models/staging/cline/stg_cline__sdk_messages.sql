{#- One row per message of a Cline SDK/CLI session (an element of
    ~/.cline/data/sessions/<id>/<id>.messages.json), every landed version: ids, role, content
    blocks, time, model and the per-response metrics (inputTokens includes cacheReadTokens). -#}

{%- set string_content_block = json_object([
    ('type', "'text'"), ('text', json_text('record_json', ['content']))
]) %}

with

records as (

    select * from {{ ref('stg_cline__task_records') }}
    where
        record_kind = 'sdk_message'
        and parse_error is null

),

parsed as (

    select
        *,
        {{ json_text('record_json', ['id']) }} as message_id,
        {{ json_text('record_json', ['role']) }} as role,
        case
            when {{ json_type('record_json', ['content']) }} = 'array'
                then {{ json_value('record_json', ['content']) }}
            when {{ json_type('record_json', ['content']) }} = 'string'
                then '[' || {{ string_content_block }} || ']'
        end as content_json
    from records

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
        run_id,
        extracted_at,

        ---------- ids
        task_id as session_id,
        message_id,
        task_id || ':' || coalesce(message_id, '#' || cast(record_ordinal as {{ dbt.type_string() }}))
            as native_message_id,
        case
            when record_ordinal > 1
                then task_id || ':' || coalesce(
                    lag(message_id) over (partition by source_uri, source_file_version order by record_ordinal),
                    '#' || cast(record_ordinal - 1 as {{ dbt.type_string() }})
                )
        end as native_parent_message_id,

        ---------- strings
        role,
        {{ json_text('record_json', ['modelInfo', 'id']) }} as model_id,
        {{ json_text('record_json', ['modelInfo', 'provider']) }} as provider_id,
        {{ json_text('record_json', ['modelInfo', 'family']) }} as model_family,
        {{ json_value('record_json', ['metrics']) }} as metrics_json,
        content_json,

        ---------- numerics
        {{ try_cast_bigint(json_text('record_json', ['metrics', 'inputTokens'])) }} as metric_input_tokens,
        {{ try_cast_bigint(json_text('record_json', ['metrics', 'outputTokens'])) }} as metric_output_tokens,
        {{ try_cast_bigint(json_text('record_json', ['metrics', 'cacheReadTokens'])) }}
            as metric_cache_read_tokens,
        {{ try_cast_bigint(json_text('record_json', ['metrics', 'cacheWriteTokens'])) }}
            as metric_cache_write_tokens,
        {{ try_cast_double(json_text('record_json', ['metrics', 'cost'])) }} as metric_cost,

        ---------- timestamps
        {{ to_utc_timestamp(json_text('record_json', ['ts'])) }} as occurred_at,

        ---------- the record
        case
            when role is null or role not in ('user', 'assistant')
                then 'not an SDK session message: no role user or assistant'
            when content_json is null
                then 'not an SDK session message: no content array or string'
        end as parse_error
    from parsed

)

select * from final
