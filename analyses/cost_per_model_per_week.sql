-- What did each model cost, week by week? (usage_weekly: ISO weeks in var reporting_timezone)
-- Compile with `dbt compile --profiles-dir . --select cost_per_model_per_week` and run the SQL in
-- target/compiled/ai_conversations/analyses/ in any client (duckdb warehouse.duckdb, psql).
with

usage_weekly as (

    select * from {{ ref('usage_weekly') }}

),

weekly_cost as (

    select
        week_start,
        platform,
        model,
        api_responses,
        total_input_tokens,
        output_tokens,
        {{ round_double('cost', 4) }} as cost_usd,
        unpriced_responses
    from usage_weekly
    where api_responses > 0

)

select * from weekly_cost
order by 1 desc, 7 desc nulls last, 2 asc, 3 asc
