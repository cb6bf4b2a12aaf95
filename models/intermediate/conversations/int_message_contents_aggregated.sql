{#- One row per kept message: its content blocks as one JSON array, in order, and the text a person
    would read (the text blocks, joined by newlines). Only the blocks of the landed record that
    deduplication kept are used, so a message copied into several files is not doubled. -#}

with

kept_messages as (

    select
        message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator
    from {{ ref('int_messages_deduplicated') }}

),

blocks as (

    select * from {{ ref('int_content_blocks_unioned') }}

),

kept_blocks as (

    select blocks.*
    from blocks
    inner join kept_messages
        on
            blocks.message_id = kept_messages.message_id
            and blocks.run_id = kept_messages.run_id
            and blocks.raw_checksum = kept_messages.raw_checksum
            and blocks.source_uri = kept_messages.source_uri
            and blocks.record_locator = kept_messages.record_locator

),

aggregated as (

    select
        message_id,
        {{ json_array_agg('block_json', 'block_index') }} as content,
        {{ dbt.listagg(
            "case when block_type = 'text' then block_text end",
            "'\n'",
            "order by block_index"
        ) }} as content_text,
        count(*) as block_count,
        sum(case when block_type = 'tool_use' then 1 else 0 end) as tool_use_count
    from kept_blocks
    group by 1

)

select * from aggregated
