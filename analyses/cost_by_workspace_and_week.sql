-- Where the money goes: estimated or reported cost per workspace (repository) and week.
-- Compile with `dbt compile --profiles-dir . --select cost_by_workspace_and_week` and run the SQL
-- from target/compiled in any client.
with

conversations as (

    select * from {{ ref('conversations') }}

),

weekly as (

    select
        workspace_path,
        {{ dbt.date_trunc('week', 'created_at') }} as week_start,
        count(*) as conversations,
        sum(total_messages) as messages,
        sum(total_input_tokens) as input_tokens,
        sum(total_output_tokens) as output_tokens,
        sum(total_cost) as cost
    from conversations
    group by 1, 2

)

select * from weekly
order by 2 desc, 7 desc
