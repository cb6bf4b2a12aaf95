{#- One row per ChatGPT message (a mapping node with a message), every branch kept, in the unified
    message columns. Exports carry no tokens or cost: those columns are null, never zero. -#}

with

nodes as (

    select * from {{ ref('stg_chatgpt__nodes') }}

),

renamed as (

    select
        ---------- ids
        platform,
        native_message_id,
        native_session_id,
        native_parent_message_id,
        cast(null as {{ dbt.type_string() }}) as api_response_id,

        ---------- strings
        author_role as native_role,
        model,
        cast(null as {{ dbt.type_string() }}) as user_type,
        cast(null as {{ dbt.type_string() }}) as workspace_path,
        cast(null as {{ dbt.type_string() }}) as git_branch,
        cast(null as {{ dbt.type_string() }}) as app_version,

        ---------- numerics: exports record no usage
        cast(null as {{ dbt.type_bigint() }}) as input_tokens,
        cast(null as {{ dbt.type_bigint() }}) as output_tokens,
        cast(null as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(null as {{ dbt.type_bigint() }}) as cache_write_tokens,
        cast(null as {{ dbt.type_bigint() }}) as cache_write_5m_tokens,
        cast(null as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
        cast(null as {{ dbt.type_bigint() }}) as reasoning_tokens,
        cast(null as {{ type_double() }}) as reported_cost,
        cast(null as {{ dbt.type_bigint() }}) as duration_ms,

        ---------- booleans
        author_role = 'assistant' and coalesce(is_end_turn, false) as is_final_response_line,
        false as is_sidechain,
        coalesce(content_type = 'system_error', false) as is_api_error,
        is_active_path,

        ---------- timestamps
        occurred_at,
        extracted_at,

        ---------- lineage
        raw_checksum,
        source_uri,
        record_locator,
        record_ordinal,
        source_file_version,
        run_id,

        ---------- metadata
        {{ json_object([
            ('node_id', 'node_id'),
            ('message_id', 'message_id'),
            ('author_name', 'author_name'),
            ('recipient', 'recipient'),
            ('channel', 'channel'),
            ('status', 'status'),
            ('content_type', 'content_type'),
            ('model_slug', 'model_slug'),
            ('request_id', 'request_id'),
            ('finish_type', 'finish_type'),
            ('weight', 'weight'),
            ('end_turn', 'is_end_turn'),
            ('is_tool_call', 'is_tool_call'),
            ('tool_call_message_id', 'tool_call_native_message_id'),
            ('is_visually_hidden', 'is_visually_hidden'),
            ('timestamp_is_fallback', 'timestamp_is_fallback'),
            ('timestamp_source', 'timestamp_source'),
        ]) }} as metadata

    from nodes

)

select * from renamed
