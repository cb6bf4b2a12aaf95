{#- One row per PlainChat message in the unified message columns. -#}

with

lines as (

    select * from {{ ref('stg_plainchat__lines') }}
    where parse_error is null

)

select
    platform,
    session_id || ':' || message_id as native_message_id,
    session_id as native_session_id,
    cast(null as {{ dbt.type_string() }}) as native_parent_message_id,
    cast(null as {{ dbt.type_string() }}) as api_response_id,
    role as native_role,
    model,
    cast(null as {{ dbt.type_string() }}) as user_type,
    cast(null as {{ dbt.type_string() }}) as workspace_path,
    cast(null as {{ dbt.type_string() }}) as git_branch,
    cast(null as {{ dbt.type_string() }}) as app_version,
    cast(input_tokens as {{ dbt.type_bigint() }}) as input_tokens,
    cast(output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
    cast(null as {{ dbt.type_bigint() }}) as cache_read_tokens,
    cast(null as {{ dbt.type_bigint() }}) as cache_write_tokens,
    cast(null as {{ dbt.type_bigint() }}) as cache_write_5m_tokens,
    cast(null as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
    cast(null as {{ dbt.type_bigint() }}) as reasoning_tokens,
    cast(null as {{ type_double() }}) as reported_cost,
    cast(null as {{ dbt.type_bigint() }}) as duration_ms,
    role = 'assistant' as is_final_response_line,
    false as is_sidechain,
    false as is_api_error,
    cast(null as boolean) as is_active_path,
    {{ to_utc_timestamp('ts_text') }} as occurred_at,
    extracted_at,
    raw_checksum,
    source_uri,
    record_locator,
    record_ordinal,
    source_file_version,
    run_id,
    {{ json_object([('record_kind', 'record_kind')]) }} as metadata
from lines
