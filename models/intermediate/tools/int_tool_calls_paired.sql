{#- One row per tool invocation (a tool_use block of a kept message), paired with its result (the
    first tool_result block, in any later kept message of the same platform, that names the same
    tool-use id). Durations come from the platform's own figure when it records one, else from
    the time between the call and the result. -#}

{{ incremental_by_conversation() }}

with

kept_blocks as (

    select * from {{ ref('int_content_blocks_deduplicated') }}
    where
        block_type in ('tool_use', 'tool_result')
        and {{ changed_conversations_filter() }}

),

calls as (

    select * from kept_blocks
    where block_type = 'tool_use'

),

results as (

    select
        *,
        row_number() over (
            partition by platform, tool_use_id
            order by occurred_at asc nulls last, source_uri asc, record_ordinal asc, block_index asc
        ) as result_rank
    from kept_blocks
    where
        block_type = 'tool_result'
        and tool_use_id is not null

),

paired as (

    select
        {{ deterministic_id(['calls.platform', 'calls.message_id', 'calls.block_index']) }}
            as tool_call_id,
        calls.tool_use_id as native_tool_use_id,
        calls.message_id,
        results.message_id as result_message_id,
        calls.conversation_id,
        calls.platform,
        calls.tool_name,
        calls.tool_input_json as tool_input,
        results.block_text as tool_output,
        results.is_error,
        {{ try_cast_bigint(
            "coalesce("
            ~ json_text('results.metadata', ['tool_use_result', 'exitCode']) ~ ", "
            ~ json_text('results.metadata', ['tool_use_result', 'exit_code']) ~ ")"
        ) }} as exit_code,
        coalesce(
            {{ try_cast_bigint(json_text('results.metadata', ['tool_use_result', 'durationMs'])) }},
            {{ try_cast_bigint(json_text('results.metadata', ['tool_use_result', 'totalDurationMs'])) }},
            {{ milliseconds_between('calls.occurred_at', 'results.occurred_at') }}
        ) as duration_ms,
        calls.occurred_at as called_at,
        results.occurred_at as completed_at
    from calls
    left join results
        on
            calls.platform = results.platform
            and calls.tool_use_id = results.tool_use_id
            and results.result_rank = 1

)

select * from paired
