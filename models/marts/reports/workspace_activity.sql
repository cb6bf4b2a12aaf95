{#- Activity per platform x workspace (repository) x git branch, from the conversations and
    messages marts: conversations, messages, API responses, tokens, cost, active days and the
    first and last activity. A conversation counts where its latest message ran (the
    conversations mart's workspace_path and git_branch); workspaces and branches a platform does
    not record stay null and group together. -#}

{%- if keep_while_lake_unchanged() %}

-- no scope of the lake changed since the last complete build: kept as that build made it
select * from {{ this }}

{%- else %}

with

conversations as (

    select * from {{ ref('conversations') }}

),

messages as (

    select * from {{ ref('messages') }}

),

message_activity as (

    select
        conversation_id,
        sum(case when is_usage_line then 1 else 0 end) as api_responses
    from messages
    group by 1

),

conversation_days as (

    select distinct
        conversations.platform,
        conversations.workspace_path,
        conversations.git_branch,
        {{ to_local_date('messages.timestamp') }} as activity_date
    from conversations
    inner join messages
        on conversations.conversation_id = messages.conversation_id
    where messages.timestamp is not null

),

active_days as (

    select
        platform,
        workspace_path,
        git_branch,
        count(*) as active_days
    from conversation_days
    group by 1, 2, 3

),

workspace_totals as (

    select
        conversations.platform,
        conversations.workspace_path,
        conversations.git_branch,
        count(*) as conversations,
        sum(conversations.total_messages) as messages,
        sum(coalesce(message_activity.api_responses, 0)) as api_responses,
        sum(conversations.total_uncached_input_tokens) as input_tokens,
        sum(conversations.total_output_tokens) as output_tokens,
        sum(conversations.total_cache_read_tokens) as cache_read_tokens,
        sum(conversations.total_cache_write_tokens) as cache_write_tokens,
        sum(conversations.total_input_tokens) as total_input_tokens,
        sum(conversations.total_cost) as cost,
        sum(case when conversations.cost_source = 'unpriced' then 1 else 0 end) as unpriced_conversations,
        sum(case when conversations.cost_source = 'reported' then 1 else 0 end) as reported_conversations,
        sum(case when conversations.cost_source = 'estimated' then 1 else 0 end) as estimated_conversations,
        min(conversations.created_at) as first_activity_at,
        max(conversations.updated_at) as last_activity_at
    from conversations
    left join message_activity
        on conversations.conversation_id = message_activity.conversation_id
    group by 1, 2, 3

),

final as (

    select
        cast(workspace_totals.platform as {{ dbt.type_string() }}) as platform,
        cast(workspace_totals.workspace_path as {{ dbt.type_string() }}) as workspace_path,
        cast({{ file_name('workspace_totals.workspace_path') }} as {{ dbt.type_string() }}) as workspace_name,
        cast(workspace_totals.git_branch as {{ dbt.type_string() }}) as git_branch,
        cast(workspace_totals.conversations as {{ dbt.type_bigint() }}) as conversations,
        cast(workspace_totals.messages as {{ dbt.type_bigint() }}) as messages,
        cast(workspace_totals.api_responses as {{ dbt.type_bigint() }}) as api_responses,
        cast(coalesce(active_days.active_days, 0) as {{ dbt.type_bigint() }}) as active_days,
        cast(workspace_totals.input_tokens as {{ dbt.type_bigint() }}) as input_tokens,
        cast(workspace_totals.output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
        cast(workspace_totals.cache_read_tokens as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(workspace_totals.cache_write_tokens as {{ dbt.type_bigint() }}) as cache_write_tokens,
        cast(workspace_totals.total_input_tokens as {{ dbt.type_bigint() }}) as total_input_tokens,
        -- rounded to nano-dollars: a float sum's last digits depend on the order rows arrive in
        {{ round_double("workspace_totals.cost", 9) }} as cost,
        cast(
            case
                when workspace_totals.unpriced_conversations > 0 then 'unpriced'
                when
                    workspace_totals.reported_conversations > 0
                    and workspace_totals.estimated_conversations = 0
                    then 'reported'
                when workspace_totals.estimated_conversations > 0 then 'estimated'
            end as {{ dbt.type_string() }}
        ) as cost_source,
        workspace_totals.first_activity_at,
        workspace_totals.last_activity_at,
        {{ schema_version() }} as schema_version
    from workspace_totals
    left join active_days
        on
            workspace_totals.platform = active_days.platform
            and workspace_totals.workspace_path is not distinct from active_days.workspace_path
            and workspace_totals.git_branch is not distinct from active_days.git_branch

)

select * from final

{%- endif %}
