-- How much of the input came from the prompt cache, per platform and model? (usage_monthly)
-- cache hit ratio = cache read tokens / all input tokens (uncached + cache read + cache write).
with

usage_monthly as (

    select * from {{ ref('usage_monthly') }}

),

by_model as (

    select
        platform,
        model,
        sum(total_input_tokens) as total_input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(cost) as cost
    from usage_monthly
    where total_input_tokens > 0
    group by 1, 2

),

ratios as (

    select
        platform,
        model,
        total_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        {{ round_double(
            '100.0 * coalesce(cache_read_tokens, 0) / total_input_tokens', 1
        ) }} as cache_hit_pct,
        {{ round_double('cost', 4) }} as cost_usd
    from by_model

)

select * from ratios
order by 3 desc, 1 asc, 2 asc
