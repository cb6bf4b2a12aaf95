{#- One row per titled ChatGPT conversation record: the conversation's `title` (summary_type
    `title`), covering its current node. -#}

with

conversations as (

    select * from {{ ref('stg_chatgpt__conversations') }}
    where
        parse_error is null
        and title is not null

),

renamed as (

    select
        platform,
        native_session_id,
        'title' as summary_type,
        title as summary_text,
        case
            when current_node is not null then native_session_id || ':' || current_node
        end as covers_native_message_id,
        coalesce(updated_at, created_at) as occurred_at,
        extracted_at,
        source_uri,
        record_ordinal
    from conversations

)

select * from renamed
