-- Which tools do the assistants call most, and how often do they fail? (tool_usage)
with

tool_usage as (

    select * from {{ ref('tool_usage') }}

),

ranked as (

    select
        platform,
        tool_name,
        calls,
        errors,
        {{ round_double('100 * error_rate', 1) }} as error_pct,
        {{ round_double('median_duration_ms', 0) }} as median_ms,
        max_duration_ms,
        last_used_at
    from tool_usage

)

select * from ranked
order by 3 desc, 4 desc, 1 asc, 2 asc
limit 20
