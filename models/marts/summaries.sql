{#- One row per summary of a conversation (session summaries, titles, compaction summaries). -#}

{{ incremental_by_conversation(listed=true) }}

with

summaries as (

    select * from {{ ref('int_summaries_unioned') }}
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
        cast(summary_id as {{ dbt.type_string() }}) as summary_id,
        cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(summary_type as {{ dbt.type_string() }}) as type,
        cast(summary_text as {{ dbt.type_string() }}) as text,
        occurred_at as timestamp,
        cast(
            case
                when covers_message_id is not null then '["' || covers_message_id || '"]'
                else '[]'
            end as {{ dbt.type_string() }}
        ) as covers_message_ids,
        {{ schema_version() }} as schema_version
    from summaries

)

select * from final
