{#- One row per message, every platform: the unified schema. -#}

{{ config(indexes=postgres_indexes(
    [['conversation_id', 'sequence_number'], ['platform'], ['raw_checksum']]
)) }}

{{ incremental_by_conversation(listed=true) }}

with

messages as (

    select * from {{ ref('int_messages_deduplicated') }}
    -- the conversations deduplication lists (int_conversations_deduplicated)
    where conversation_id in (
        select listed.conversation_id
        from {{ ref('int_conversations_deduplicated') }} as listed
        where listed.is_listed
    )
    -- an incremental run: the changed conversations and the newly listed ones
    and {{ listed_conversations_filter() }}

),

contents as (

    select * from {{ ref('int_message_contents_aggregated') }}
    where {{ listed_conversations_filter() }}

),

prices as (

    select * from {{ ref('int_messages_priced') }}
    where {{ listed_conversations_filter() }}

),

sidechain_links as (

    select * from {{ ref('int_sidechains_linked') }}
    where {{ listed_conversations_filter() }}

),

threads as (

    select * from {{ ref('int_messages_threaded') }}
    where {{ listed_conversations_filter() }}

),

final as (

    select
        cast(messages.message_id as {{ dbt.type_string() }}) as message_id,
        cast(messages.api_response_id as {{ dbt.type_string() }}) as api_response_id,
        cast(messages.conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(
            coalesce(messages.parent_message_id, sidechain_links.parent_message_id)
            as {{ dbt.type_string() }}
        ) as parent_message_id,
        cast(messages.platform as {{ dbt.type_string() }}) as platform,
        cast(messages.native_message_id as {{ dbt.type_string() }}) as native_message_id,
        cast(row_number() over (
            partition by messages.conversation_id
            order by {{ message_sequence_order('messages') }}
        ) as {{ dbt.type_bigint() }}) as sequence_number,
        cast(messages.role as {{ dbt.type_string() }}) as role,
        cast(messages.native_role as {{ dbt.type_string() }}) as native_role,
        messages.occurred_at as timestamp,
        cast(coalesce(contents.content, '[]') as {{ dbt.type_string() }}) as content,
        cast(contents.content_text as {{ dbt.type_string() }}) as content_text,
        cast(messages.input_tokens as {{ dbt.type_bigint() }}) as input_tokens,
        cast(messages.output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
        cast(messages.cache_read_tokens as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(messages.cache_write_tokens as {{ dbt.type_bigint() }}) as cache_write_tokens,
        cast(messages.cache_write_5m_tokens as {{ dbt.type_bigint() }}) as cache_write_5m_tokens,
        cast(messages.cache_write_1h_tokens as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
        cast(messages.reasoning_tokens as {{ dbt.type_bigint() }}) as reasoning_tokens,
        cast(prices.cost as {{ type_double() }}) as cost,
        cast(prices.cost_source as {{ dbt.type_string() }}) as cost_source,
        cast(messages.model as {{ dbt.type_string() }}) as model,
        cast(messages.user_type as {{ dbt.type_string() }}) as user_type,
        messages.is_sidechain,
        messages.is_api_error,
        coalesce(messages.is_active_path, threads.is_active_path is not null) as is_active_path,
        messages.is_usage_line,
        cast(messages.metadata as {{ dbt.type_string() }}) as metadata,
        cast(messages.raw_checksum as {{ dbt.type_string() }}) as raw_checksum,
        cast(messages.source_uri as {{ dbt.type_string() }}) as source_uri,
        cast(messages.record_locator as {{ dbt.type_string() }}) as record_locator,
        cast(messages.copies_landed as {{ dbt.type_bigint() }}) as copies_landed,
        {{ schema_version() }} as schema_version
    from messages
    left join contents
        on messages.message_id = contents.message_id
    left join prices
        on messages.message_id = prices.message_id
    left join sidechain_links
        on messages.message_id = sidechain_links.message_id
    left join threads
        on messages.message_id = threads.message_id

)

select * from final
