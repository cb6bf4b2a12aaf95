{#- The cost of each message that carries usage: the platform's reported cost when it has one,
    otherwise tokens x the dated pricing seed (model matched by alias, then by the longest pattern
    that prefixes the normalized model name). A message with tokens but no price is `unpriced`,
    never a silent $0. -#}

{{ incremental_by_conversation() }}

with

messages as (

    select * from {{ ref('int_messages_deduplicated') }}
    where
        (is_usage_line or reported_cost is not null)
        and {{ changed_conversations_filter() }}

),

aliases as (

    select * from {{ ref('model_aliases') }}

),

prices as (

    select * from {{ ref('model_pricing') }}

),

normalized as (

    select
        messages.*,
        coalesce(aliases.model_pattern, {{ normalize_model_name('messages.model') }}) as model_key,
        cast(coalesce(messages.occurred_at, messages.extracted_at) as date) as price_date
    from messages
    left join aliases
        on lower(messages.model) = lower(aliases.alias)

),

price_keys as (

    select distinct
        model_key,
        price_date
    from normalized

),

matched_prices as (

    select
        price_keys.model_key,
        price_keys.price_date,
        prices.model_pattern,
        prices.input_per_mtok,
        prices.output_per_mtok,
        prices.cache_read_per_mtok,
        prices.cache_write_5m_per_mtok,
        prices.cache_write_1h_per_mtok,
        prices.long_context_threshold_tokens,
        prices.long_context_input_per_mtok,
        prices.long_context_output_per_mtok,
        row_number() over (
            partition by price_keys.model_key, price_keys.price_date
            order by length(prices.model_pattern) desc, prices.valid_from desc
        ) as match_rank
    from price_keys
    inner join prices
        on
            price_keys.model_key like prices.model_pattern || '%'
            and price_keys.price_date >= prices.valid_from
            and (prices.valid_to is null or price_keys.price_date < prices.valid_to)

),

priced as (

    select
        normalized.message_id,
        normalized.conversation_id,
        normalized.model_key,
        matched_prices.model_pattern as priced_model_pattern,
        (
            coalesce(normalized.input_tokens, 0) + coalesce(normalized.output_tokens, 0)
            + coalesce(normalized.cache_read_tokens, 0) + coalesce(normalized.cache_write_tokens, 0)
        ) > 0 as has_tokens,
        normalized.reported_cost,
        {{ estimated_cost(
            {
                'input': 'normalized.input_tokens',
                'output': 'normalized.output_tokens',
                'cache_read': 'normalized.cache_read_tokens',
                'cache_write': 'normalized.cache_write_tokens',
                'cache_write_5m': 'normalized.cache_write_5m_tokens',
                'cache_write_1h': 'normalized.cache_write_1h_tokens',
            },
            'matched_prices'
        ) }} as estimated_cost
    from normalized
    left join matched_prices
        on
            normalized.model_key = matched_prices.model_key
            and normalized.price_date = matched_prices.price_date
            and matched_prices.match_rank = 1

),

final as (

    select
        message_id,
        conversation_id,
        model_key,
        priced_model_pattern,
        case
            when reported_cost is not null then reported_cost
            when priced_model_pattern is not null then estimated_cost
        end as cost,
        case
            when reported_cost is not null then 'reported'
            when priced_model_pattern is not null then 'estimated'
            when has_tokens then 'unpriced'
        end as cost_source
    from priced

)

select * from final
