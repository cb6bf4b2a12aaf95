{#- One row per Claude Code summary-like line: `summary` lines (session summaries, written on resume
    and by older compaction), `custom-title` / `ai-title` lines, and the compaction summaries that
    newer versions write as a user line with isCompactSummary. -#}

with

session_lines as (

    select * from {{ ref('stg_claude_code__session_lines') }}
    where
        parse_error is null
        and (
            line_type in ('summary', 'custom-title', 'ai-title')
            or (line_type = 'user' and is_compact_summary)
        )

),

renamed as (

    select
        platform,
        native_session_id,
        case
            when line_type = 'custom-title' then 'title'
            when line_type = 'ai-title' then 'ai_title'
            when line_type = 'user' then 'compaction'
            else 'session_summary'
        end as summary_type,
        case
            when line_type = 'custom-title' then custom_title
            when line_type = 'ai-title' then ai_title
            when message_content_type = 'string'
                then {{ json_text('message_content_json', []) }}
            when message_content_type = 'array'
                then {{ json_array_join_key('message_content_json', [], 'text', "chr(10)") }}
            else summary_text
        end as summary_text,
        case
            when line_type = 'user' then coalesce(logical_parent_uuid, parent_uuid)
            else leaf_uuid
        end as covers_native_message_id,
        occurred_at,
        extracted_at,
        raw_checksum,
        source_uri,
        record_locator,
        record_ordinal
    from session_lines

)

select * from renamed
