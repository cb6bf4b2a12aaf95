{#- One row per conversation, every platform: the unified schema. -#}

{{ config(indexes=postgres_indexes(
    [['platform'], ['created_at'], ['workspace_path'], ['raw_checksum'], ['content_hash']]
)) }}

{%- if keep_while_lake_unchanged() %}

-- no scope of the lake changed since the last complete build: kept as that build made it
select * from {{ this }}

{%- else %}

with

versions as (

    select
        conversation_id,
        max(version) as latest_version
    from {{ ref('int_conversation_versions_tracked') }}
    group by 1

),

conversations as (

    select
        listed.*,
        versions.latest_version
    from {{ ref('int_conversations_deduplicated') }} as listed
    left join versions
        on listed.conversation_id = versions.conversation_id
    where listed.is_listed

),

final as (

    select
        cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(platform_version as {{ dbt.type_string() }}) as platform_version,
        cast(native_session_id as {{ dbt.type_string() }}) as native_session_id,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(parent_conversation_id as {{ dbt.type_string() }}) as parent_conversation_id,
        cast(canonical_conversation_id as {{ dbt.type_string() }}) as canonical_conversation_id,
        is_sidechain,
        cast(workspace_path as {{ dbt.type_string() }}) as workspace_path,
        cast(git_branch as {{ dbt.type_string() }}) as git_branch,
        cast(git_commit as {{ dbt.type_string() }}) as git_commit,
        created_at,
        updated_at,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(total_messages as {{ dbt.type_bigint() }}) as total_messages,
        cast(total_input_tokens as {{ dbt.type_bigint() }}) as total_input_tokens,
        cast(total_uncached_input_tokens as {{ dbt.type_bigint() }}) as total_uncached_input_tokens,
        cast(total_output_tokens as {{ dbt.type_bigint() }}) as total_output_tokens,
        cast(total_cache_read_tokens as {{ dbt.type_bigint() }}) as total_cache_read_tokens,
        cast(total_cache_write_tokens as {{ dbt.type_bigint() }}) as total_cache_write_tokens,
        -- rounded to nano-dollars: a float sum's last digits depend on the order rows arrive in
        {{ round_double("total_cost", 9) }} as total_cost,
        cast(cost_source as {{ dbt.type_string() }}) as cost_source,
        cast(duration_ms as {{ dbt.type_bigint() }}) as duration_ms,
        cast(raw_checksum as {{ dbt.type_string() }}) as raw_checksum,
        cast(content_hash as {{ dbt.type_string() }}) as content_hash,
        cast(coalesce(latest_version, 1) as {{ dbt.type_bigint() }}) as version,
        {{ schema_version() }} as schema_version,
        imported_at,
        cast(platform_metadata as {{ dbt.type_string() }}) as platform_metadata
    from conversations

)

select * from final

{%- endif %}
