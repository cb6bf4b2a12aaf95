-- Where do the conversations happen? Activity per repository and branch (workspace_activity).
with

workspace_activity as (

    select * from {{ ref('workspace_activity') }}

),

ranked as (

    select
        coalesce(workspace_name, '(no workspace)') as repository,
        coalesce(git_branch, '(no branch)') as git_branch,
        platform,
        conversations,
        messages,
        active_days,
        {{ round_double('cost', 4) }} as cost_usd,
        last_activity_at
    from workspace_activity

)

select * from ranked
order by 4 desc, 5 desc, 1 asc, 2 asc, 3 asc
