{#- One row per conversation that used the API (at least one usage line): its time span, the
    models it used and its tokens and cost, from the messages and conversations marts. -#}

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

conversation_models as (

    select distinct
        conversation_id,
        model
    from messages
    where is_usage_line and model is not null

),

models_used as (

    select
        conversation_id,
        {{ listagg_ordered('model', "','", ['model']) }} as models_used
    from conversation_models
    group by 1

),

usage as (

    select
        conversation_id,
        min(timestamp) as first_message_at,
        max(timestamp) as last_message_at,
        sum(case when is_usage_line then 1 else 0 end) as api_responses,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(reasoning_tokens) as reasoning_tokens,
        sum(cost) as cost
    from messages
    group by 1
    having sum(case when is_usage_line then 1 else 0 end) > 0

),

final as (

    select
        cast(usage.conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(conversations.platform as {{ dbt.type_string() }}) as platform,
        cast(conversations.title as {{ dbt.type_string() }}) as title,
        cast(conversations.workspace_path as {{ dbt.type_string() }}) as workspace_path,
        cast(models_used.models_used as {{ dbt.type_string() }}) as models_used,
        cast(conversations.cost_source as {{ dbt.type_string() }}) as cost_source,
        cast(
            {{ milliseconds_between('usage.first_message_at', 'usage.last_message_at') }}
            as {{ dbt.type_bigint() }}
        ) as duration_ms,
        cast(usage.api_responses as {{ dbt.type_bigint() }}) as api_responses,
        cast(usage.input_tokens as {{ dbt.type_bigint() }}) as input_tokens,
        cast(usage.output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
        cast(usage.cache_read_tokens as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(usage.cache_write_tokens as {{ dbt.type_bigint() }}) as cache_write_tokens,
        cast(usage.reasoning_tokens as {{ dbt.type_bigint() }}) as reasoning_tokens,
        cast(
            case
                when coalesce(usage.input_tokens, usage.cache_read_tokens, usage.cache_write_tokens) is not null
                    then
                        coalesce(usage.input_tokens, 0)
                        + coalesce(usage.cache_read_tokens, 0)
                        + coalesce(usage.cache_write_tokens, 0)
            end as {{ dbt.type_bigint() }}
        ) as total_input_tokens,
        -- rounded to nano-dollars: a float sum's last digits depend on the order rows arrive in
        {{ round_double("usage.cost", 9) }} as cost,
        usage.first_message_at,
        usage.last_message_at,
        {{ schema_version() }} as schema_version
    from usage
    inner join conversations
        on usage.conversation_id = conversations.conversation_id
    left join models_used
        on usage.conversation_id = models_used.conversation_id

)

select * from final

{%- endif %}
