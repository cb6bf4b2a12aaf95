{#- Model names match the dated pricing seed after normalization (provider prefixes, Bedrock
    suffixes and dates removed), the longest pattern wins, tokens of each kind cost exactly the
    seed's price, and the long-context tier applies above its threshold. Returns the failures. -#}

with

cases as (

    select
        'us.anthropic.claude-sonnet-4-5-20250929-v1:0' as model,
        100000 as input_tokens, 0 as output_tokens, 0 as cache_read_tokens,
        0 as cache_write_5m_tokens, 0 as cache_write_1h_tokens, 0.3 as expected_cost
    union all
    -- above 200k input tokens Sonnet 4.5 bills the whole request at the long-context price
    select 'claude-sonnet-4-5-20250929', 1000000, 0, 0, 0, 0, 6.0
    union all
    select 'claude-opus-4-1-20250805', 0, 1000000, 0, 0, 0, 75.0
    union all
    select 'anthropic/claude-haiku-4-5', 0, 0, 1000000, 0, 0, 0.1
    union all
    select 'claude-sonnet-4-5@20250929', 0, 0, 0, 100000, 100000, 0.975
    union all
    select 'gpt-4o-mini-2024-07-18', 1000000, 1000000, 0, 0, 0, 0.75

),

prices as (

    select * from {{ ref('model_pricing') }}

),

matched as (

    select
        cases.*,
        prices.model_pattern,
        row_number() over (
            partition by cases.model
            order by length(prices.model_pattern) desc, prices.valid_from desc
        ) as match_rank,
        {{ estimated_cost(
            {
                'input': 'cases.input_tokens',
                'output': 'cases.output_tokens',
                'cache_read': 'cases.cache_read_tokens',
                'cache_write': 'cases.cache_write_5m_tokens + cases.cache_write_1h_tokens',
                'cache_write_5m': 'cases.cache_write_5m_tokens',
                'cache_write_1h': 'cases.cache_write_1h_tokens',
            },
            'prices'
        ) }} as cost
    from cases
    left join prices
        on {{ normalize_model_name('cases.model') }} like prices.model_pattern || '%'

)

select *
from matched
where
    match_rank = 1
    and (model_pattern is null or abs(cost - expected_cost) > 0.000001)
