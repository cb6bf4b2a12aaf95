{#- Usage in billing blocks, ccusage's `blocks` report for every platform: per platform, the API
    responses (usage lines of the messages mart) in time order; a block starts at the first
    response's hour (floored in UTC) and lasts var usage_block_hours (5); the first response
    after the block's end starts the next block, at its own hour. When more than the block length
    passes between two responses, a gap row covers the idle time (from the last response + the
    block length to the next response), as ccusage writes it.

    The next block depends on where the previous one started, so the starts are found by a
    recursive CTE over usage hours (a platform's responses grouped by UTC hour): where a block
    starting at each usage hour would hand over is computed first, for all hours at once, so each
    step of the walk (one per block) is an equality join. -#}

{%- set block_hours = usage_block_hours() %}

{%- if keep_while_lake_unchanged(as_is=false) %}

-- no scope of the lake changed since the last complete build: kept as that build made it, but
-- whether a block is active depends on the time of this build
select
    platform,
    block_start,
    block_end,
    block_date,
    is_gap,
    not is_gap and {{ usage_block_is_active('block_start', 'last_activity_at') }} as is_active,
    first_activity_at,
    last_activity_at,
    api_responses,
    conversations,
    models_used,
    input_tokens,
    output_tokens,
    cache_read_tokens,
    cache_write_tokens,
    reasoning_tokens,
    total_input_tokens,
    total_tokens,
    cost,
    cost_source,
    unpriced_responses,
    unpriced_models,
    schema_version
from {{ this }}

{%- else %}

with recursive

messages as (

    select * from {{ ref('messages') }}

),

usage_lines as (

    select
        platform,
        conversation_id,
        timestamp,
        model,
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_write_tokens,
        reasoning_tokens,
        cost,
        cost_source
    from messages
    where is_usage_line and timestamp is not null

),

usage_hours as (

    -- per platform and UTC hour: its first response, and its first response after the hour's
    -- first instant (a response exactly at a block's end still belongs to that block)
    select
        platform,
        {{ utc_hour_floor('timestamp') }} as hour_start,
        min(timestamp) as first_response_at,
        min(
            case when timestamp > {{ utc_hour_floor('timestamp') }} then timestamp end
        ) as first_response_after_hour_start_at
    from usage_lines
    group by 1, 2

),

usage_hours_linked as (

    -- each usage hour with the first response of the one after it
    select
        platform,
        hour_start,
        first_response_at,
        first_response_after_hour_start_at,
        lead(first_response_at) over (
            partition by platform order by hour_start
        ) as next_hour_first_response_at
    from usage_hours

),

hour_events as (

    -- every usage hour, and for every usage hour the end of a block that would start there
    select
        platform,
        hour_start as event_at,
        1 as event_order,
        hour_start,
        {{ dbt.cast('null', 'timestamp with time zone') }} as probed_block_start
    from usage_hours

    union all

    select
        platform,
        {{ dbt.dateadd('hour', block_hours, 'hour_start') }} as event_at,
        0 as event_order,
        {{ dbt.cast('null', 'timestamp with time zone') }} as hour_start,
        hour_start as probed_block_start
    from usage_hours

),

hour_events_scanned as (

    -- the first usage hour at or after each event: a running minimum from the latest event back
    -- (a frame that ends at the current row, which every engine computes in one pass)
    select
        platform,
        probed_block_start,
        min(hour_start) over (
            partition by platform
            order by event_at desc, event_order desc
            rows between unbounded preceding and current row
        ) as next_hour_start
    from hour_events

),

{#- the next block's first response after a block that starts at `block_handovers.block_start`,
    from the first usage hour at or after its end: within that hour, only a response after its
    first instant (one exactly at the end belongs to the block), else the next usage hour's first
    response -#}
{%- set block_end = dbt.dateadd('hour', block_hours, 'hour_events_scanned.probed_block_start') %}
{%- set next_response_at -%}
    case
        when usage_hours_linked.hour_start = {{ block_end }}
            then coalesce(
                usage_hours_linked.first_response_after_hour_start_at,
                usage_hours_linked.next_hour_first_response_at
            )
        else usage_hours_linked.first_response_at
    end
{%- endset %}

block_handovers as {{ cte_materialized() }} (

    -- for every usage hour: the first response of the block after a block starting there
    -- (materialized: otherwise every step of the walk below computes it again)
    select
        hour_events_scanned.platform,
        hour_events_scanned.probed_block_start as block_start,
        {{ next_response_at }} as next_first_activity_at
    from hour_events_scanned
    inner join usage_hours_linked
        on
            hour_events_scanned.platform = usage_hours_linked.platform
            and hour_events_scanned.next_hour_start = usage_hours_linked.hour_start
    where hour_events_scanned.probed_block_start is not null

),

-- a block starts at the first usage hour, and each next one where the block before hands over:
-- one step per block, each an equality join on the precomputed handovers
block_starts (platform, block_start, first_activity_at) as (

    select
        platform,
        min(hour_start) as block_start,
        min(first_response_at) as first_activity_at
    from usage_hours
    group by 1

    union all

    select
        block_starts.platform,
        {{ utc_hour_floor('block_handovers.next_first_activity_at') }} as block_start,
        block_handovers.next_first_activity_at as first_activity_at
    from block_starts
    inner join block_handovers
        on
            block_starts.platform = block_handovers.platform
            and block_starts.block_start = block_handovers.block_start
    where block_handovers.next_first_activity_at is not null

),

blocks as (

    select
        platform,
        block_start,
        first_activity_at,
        lead(first_activity_at) over (partition by platform order by block_start) as next_block_activity_at
    from block_starts

),

block_lines as (

    select
        blocks.platform,
        blocks.block_start,
        usage_lines.conversation_id,
        usage_lines.timestamp,
        usage_lines.model,
        usage_lines.input_tokens,
        usage_lines.output_tokens,
        usage_lines.cache_read_tokens,
        usage_lines.cache_write_tokens,
        usage_lines.reasoning_tokens,
        usage_lines.cost,
        usage_lines.cost_source
    from blocks
    inner join usage_lines
        on
            blocks.platform = usage_lines.platform
            and blocks.first_activity_at <= usage_lines.timestamp
            and (blocks.next_block_activity_at is null or blocks.next_block_activity_at > usage_lines.timestamp)

),

block_models as (

    select distinct
        platform,
        block_start,
        model
    from block_lines
    where model is not null

),

block_unpriced_models as (

    select distinct
        platform,
        block_start,
        model
    from block_lines
    where model is not null and cost_source = 'unpriced'

),

models_used as (

    select
        platform,
        block_start,
        {{ listagg_ordered('model', "','", ['model']) }} as models_used
    from block_models
    group by 1, 2

),

unpriced_models as (

    select
        platform,
        block_start,
        {{ listagg_ordered('model', "','", ['model']) }} as unpriced_models
    from block_unpriced_models
    group by 1, 2

),

block_totals as (

    select
        platform,
        block_start,
        min(timestamp) as first_activity_at,
        max(timestamp) as last_activity_at,
        count(*) as api_responses,
        count(distinct conversation_id) as conversations,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(reasoning_tokens) as reasoning_tokens,
        sum(cost) as cost,
        sum(case when cost_source = 'unpriced' then 1 else 0 end) as unpriced_responses,
        sum(case when cost_source = 'reported' then 1 else 0 end) as reported_responses,
        sum(case when cost_source = 'estimated' then 1 else 0 end) as estimated_responses
    from block_lines
    group by 1, 2

),

activity_blocks as (

    select
        block_totals.platform,
        block_totals.block_start,
        {{ dbt.dateadd('hour', block_hours, 'block_totals.block_start') }} as block_end,
        false as is_gap,
        {{ usage_block_is_active('block_totals.block_start', 'block_totals.last_activity_at') }} as is_active,
        block_totals.first_activity_at,
        block_totals.last_activity_at,
        block_totals.api_responses,
        block_totals.conversations,
        models_used.models_used,
        block_totals.input_tokens,
        block_totals.output_tokens,
        block_totals.cache_read_tokens,
        block_totals.cache_write_tokens,
        block_totals.reasoning_tokens,
        block_totals.cost,
        case
            when block_totals.unpriced_responses > 0 then 'unpriced'
            when block_totals.reported_responses > 0 and block_totals.estimated_responses = 0 then 'reported'
            when block_totals.estimated_responses > 0 then 'estimated'
        end as cost_source,
        block_totals.unpriced_responses,
        unpriced_models.unpriced_models
    from block_totals
    left join models_used
        on
            block_totals.platform = models_used.platform
            and block_totals.block_start = models_used.block_start
    left join unpriced_models
        on
            block_totals.platform = unpriced_models.platform
            and block_totals.block_start = unpriced_models.block_start

),

consecutive_blocks as (

    select
        platform,
        last_activity_at,
        lead(first_activity_at) over (partition by platform order by block_start) as next_activity_at
    from activity_blocks

),

gap_blocks as (

    -- idle time longer than a block between two responses (ccusage's gap blocks)
    select
        platform,
        {{ dbt.dateadd('hour', block_hours, 'last_activity_at') }} as block_start,
        next_activity_at as block_end,
        true as is_gap,
        false as is_active,
        {{ dbt.cast('null', 'timestamp with time zone') }} as first_activity_at,
        {{ dbt.cast('null', 'timestamp with time zone') }} as last_activity_at,
        0 as api_responses,
        0 as conversations,
        cast(null as {{ dbt.type_string() }}) as models_used,
        cast(null as {{ dbt.type_bigint() }}) as input_tokens,
        cast(null as {{ dbt.type_bigint() }}) as output_tokens,
        cast(null as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(null as {{ dbt.type_bigint() }}) as cache_write_tokens,
        cast(null as {{ dbt.type_bigint() }}) as reasoning_tokens,
        cast(null as {{ type_double() }}) as cost,
        cast(null as {{ dbt.type_string() }}) as cost_source,
        0 as unpriced_responses,
        cast(null as {{ dbt.type_string() }}) as unpriced_models
    from consecutive_blocks
    where next_activity_at > {{ dbt.dateadd('hour', block_hours, 'last_activity_at') }}

),

all_blocks as (

    select * from activity_blocks
    union all
    select * from gap_blocks

),

final as (

    select
        cast(platform as {{ dbt.type_string() }}) as platform,
        block_start,
        block_end,
        {{ to_local_date('block_start') }} as block_date,
        is_gap,
        is_active,
        first_activity_at,
        last_activity_at,
        cast(api_responses as {{ dbt.type_bigint() }}) as api_responses,
        cast(conversations as {{ dbt.type_bigint() }}) as conversations,
        cast(models_used as {{ dbt.type_string() }}) as models_used,
        cast(input_tokens as {{ dbt.type_bigint() }}) as input_tokens,
        cast(output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
        cast(cache_read_tokens as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(cache_write_tokens as {{ dbt.type_bigint() }}) as cache_write_tokens,
        cast(reasoning_tokens as {{ dbt.type_bigint() }}) as reasoning_tokens,
        cast(
            case
                when coalesce(input_tokens, cache_read_tokens, cache_write_tokens) is not null
                    then coalesce(input_tokens, 0) + coalesce(cache_read_tokens, 0) + coalesce(cache_write_tokens, 0)
            end as {{ dbt.type_bigint() }}
        ) as total_input_tokens,
        cast(
            case
                when coalesce(input_tokens, output_tokens, cache_read_tokens, cache_write_tokens) is not null
                    then
                        coalesce(input_tokens, 0) + coalesce(output_tokens, 0)
                        + coalesce(cache_read_tokens, 0) + coalesce(cache_write_tokens, 0)
            end as {{ dbt.type_bigint() }}
        ) as total_tokens,
        -- rounded to nano-dollars: a float sum's last digits depend on the order rows arrive in
        {{ round_double("cost", 9) }} as cost,
        cast(cost_source as {{ dbt.type_string() }}) as cost_source,
        cast(unpriced_responses as {{ dbt.type_bigint() }}) as unpriced_responses,
        cast(unpriced_models as {{ dbt.type_string() }}) as unpriced_models,
        {{ schema_version() }} as schema_version
    from all_blocks

)

select * from final

{%- endif %}
