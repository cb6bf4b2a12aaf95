{#- One row per kept message: its content blocks as one JSON array, in order, and the text a person
    would read (the text blocks, joined by newlines). Built on the kept blocks, so a message
    copied into several files is not doubled. -#}

{{ incremental_by_conversation() }}

with

kept_blocks as (

    select * from {{ ref('int_content_blocks_deduplicated') }}
    where {{ changed_conversations_filter() }}

),

aggregated as (

    select
        message_id,
        conversation_id,
        {{ json_array_agg('block_json', 'block_index') }} as content,
        {{ listagg_ordered(
            "case when block_type = 'text' then block_text end",
            "'\n'",
            ["block_index"]
        ) }} as content_text,
        {{ listagg_ordered(
            dbt.concat([
                "block_type", "':'",
                "coalesce(case when block_type = 'tool_use' then tool_name else block_text end, '')"
            ]),
            "'\n'",
            ["block_index"]
        ) }} as content_signature,
        count(*) as block_count,
        sum(case when block_type = 'tool_use' then 1 else 0 end) as tool_use_count
    from kept_blocks
    group by 1, 2

)

select * from aggregated
