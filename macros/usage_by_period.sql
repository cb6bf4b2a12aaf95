{#- The body of the usage marts (usage_daily, usage_weekly, usage_monthly): tokens, cost,
    conversations and messages from the messages mart per period x platform x model. Only
    messages that carry usage count tokens (token sums stay null, not zero, when no message of
    the group recorded any); every message counts in `messages`. `period_expr` buckets a
    message's `timestamp` (in the reporting time zone) into the period's first day. -#}
{% macro usage_by_period(period_column, period_expr) -%}
{%- if keep_while_lake_unchanged() %}

-- no scope of the lake changed since the last complete build: kept as that build made it
select * from {{ this }}

{%- else %}

with

messages as (

    select * from {{ ref('messages') }}
    where timestamp is not null

),

bucketed as (

    select
        {{ period_expr }} as {{ period_column }},
        platform,
        coalesce(model, 'unknown') as model,
        conversation_id,
        is_usage_line,
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_write_tokens,
        reasoning_tokens,
        cost,
        cost_source
    from messages

),

aggregated as (

    select
        {{ period_column }},
        platform,
        model,
        count(*) as messages,
        count(distinct conversation_id) as conversations,
        sum(case when is_usage_line then 1 else 0 end) as api_responses,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(reasoning_tokens) as reasoning_tokens,
        sum(cost) as cost,
        sum(case when cost_source = 'unpriced' then 1 else 0 end) as unpriced_responses
    from bucketed
    group by 1, 2, 3

),

final as (

    select
        {{ period_column }},
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(messages as {{ dbt.type_bigint() }}) as messages,
        cast(conversations as {{ dbt.type_bigint() }}) as conversations,
        cast(api_responses as {{ dbt.type_bigint() }}) as api_responses,
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
        -- rounded to nano-dollars: a float sum's last digits depend on the order rows arrive in
        {{ round_double("cost", 9) }} as cost,
        cast(unpriced_responses as {{ dbt.type_bigint() }}) as unpriced_responses,
        {{ schema_version() }} as schema_version
    from aggregated

)

select * from final

{%- endif %}
{%- endmacro %}

