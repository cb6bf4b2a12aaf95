{#- One row per tool invocation, its request paired with its result, every platform. -#}

{{ config(indexes=postgres_indexes(
    [['tool_name'], ['platform']]
)) }}

{{ incremental_by_conversation(listed=true) }}

with

tool_calls as (

    select * from {{ ref('int_tool_calls_paired') }}
    -- the conversations deduplication lists (int_conversations_deduplicated)
    where conversation_id in (
        select listed.conversation_id
        from {{ ref('int_conversations_deduplicated') }} as listed
        where listed.is_listed
    )
    -- an incremental run: the changed conversations and the newly listed ones
    and {{ listed_conversations_filter() }}

),

final as (

    select
        cast(tool_call_id as {{ dbt.type_string() }}) as tool_call_id,
        cast(message_id as {{ dbt.type_string() }}) as message_id,
        cast(result_message_id as {{ dbt.type_string() }}) as result_message_id,
        cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(native_tool_use_id as {{ dbt.type_string() }}) as native_tool_use_id,
        cast(tool_name as {{ dbt.type_string() }}) as tool_name,
        cast(tool_input as {{ dbt.type_string() }}) as tool_input,
        cast(tool_output as {{ dbt.type_string() }}) as tool_output,
        is_error,
        cast(exit_code as {{ dbt.type_bigint() }}) as exit_code,
        cast(duration_ms as {{ dbt.type_bigint() }}) as duration_ms,
        called_at as timestamp,
        completed_at,
        {{ schema_version() }} as schema_version
    from tool_calls

)

select * from final
