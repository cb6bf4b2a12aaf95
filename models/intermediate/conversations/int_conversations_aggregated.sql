{#- One row per conversation: the messages' totals and the conversation-level attributes
    (title, most-used model, latest workspace, status, parent, hashes). A conversation
    exists when any of its messages or summaries landed. -#}

{{ incremental_by_conversation() }}

with

messages as (

    select * from {{ ref('int_messages_deduplicated') }}
    where {{ changed_conversations_filter() }}

),

landed_messages as (

    select * from {{ ref('int_messages_unioned') }}
    where {{ changed_conversations_filter() }}

),

prices as (

    select * from {{ ref('int_messages_priced') }}
    where {{ changed_conversations_filter() }}

),

contents as (

    select * from {{ ref('int_message_contents_aggregated') }}
    where {{ changed_conversations_filter() }}

),

summaries as (

    select * from {{ ref('int_summaries_unioned') }}
    where {{ changed_conversations_filter() }}

),

fingerprints as (

    select * from {{ ref('int_messages_fingerprinted') }}
    where {{ changed_conversations_filter() }}

),

content_hashes as (

    select
        conversation_id,
        {{ conversation_content_hash('fingerprint', 'occurred_at') }} as content_hash
    from fingerprints
    group by 1

),

message_facts as (

    select
        messages.*,
        contents.content,
        contents.content_text,
        prices.cost,
        prices.cost_source,
        row_number() over (
            partition by messages.conversation_id
            order by {{ message_sequence_order('messages', 'desc') }}
        ) as recency_rank,
        row_number() over (
            partition by messages.conversation_id
            order by {{ message_sequence_order('messages') }}
        ) as sequence_rank
    from messages
    left join contents
        on messages.message_id = contents.message_id
    left join prices
        on messages.message_id = prices.message_id

),

conversation_keys as (

    select distinct
        conversation_id,
        platform,
        native_session_id
    from messages
    union
    select distinct
        conversation_id,
        platform,
        native_session_id
    from summaries

),

totals as (

    select
        conversation_id,
        count(*) as total_messages,
        sum(coalesce(input_tokens, 0)) as total_uncached_input_tokens,
        sum(coalesce(output_tokens, 0)) as total_output_tokens,
        sum(coalesce(cache_read_tokens, 0)) as total_cache_read_tokens,
        sum(coalesce(cache_write_tokens, 0)) as total_cache_write_tokens,
        sum(
            case
                when coalesce(input_tokens, output_tokens, cache_read_tokens, cache_write_tokens) is not null
                    then 1
                else 0
            end
        ) as usage_messages,
        sum(cost) as total_cost,
        sum(case when cost_source = 'unpriced' then 1 else 0 end) as unpriced_messages,
        sum(case when cost_source = 'reported' then 1 else 0 end) as reported_cost_messages,
        sum(case when cost_source = 'estimated' then 1 else 0 end) as estimated_cost_messages,
        min(occurred_at) as created_at,
        max(occurred_at) as updated_at,
        min(case when is_sidechain then 1 else 0 end) = 1 as is_sidechain,
        sum(case when is_sidechain then 1 else 0 end) as sidechain_messages,
        sum(case when is_api_error then 1 else 0 end) as api_error_messages,
        count(distinct source_uri) as source_files,
        max(extracted_at) as imported_at,
        min(app_version) as first_app_version,
        {{ sha256_hex(listagg_ordered('raw_checksum', "''", ['sequence_rank'])) }} as raw_checksum
    from message_facts
    group by 1

),

latest as (

    select
        conversation_id,
        app_version as platform_version,
        workspace_path,
        git_branch,
        role as last_role,
        is_api_error as last_is_api_error
    from message_facts
    where recency_rank = 1

),

first_prompts as (

    select
        conversation_id,
        content_text as first_prompt
    from (
        select
            conversation_id,
            content_text,
            row_number() over (
                partition by conversation_id
                order by {{ message_sequence_order() }}
            ) as prompt_rank
        from message_facts
        where
            role = 'user'
            and not is_sidechain
            and content_text is not null
            -- injected context (Claude Code isMeta lines) is not a typed prompt
            and coalesce({{ json_text('metadata', ['is_meta']) }}, 'false') = 'false'
            -- slash-command wrappers (<command-name>, <local-command-stdout>) are not prompts
            and content_text not like '<%'
    ) as user_prompts
    where prompt_rank = 1

),

model_usage as (

    select
        conversation_id,
        model,
        row_number() over (
            partition by conversation_id
            order by count(*) desc, model asc
        ) as model_rank
    from message_facts
    where
        role = 'assistant'
        and model is not null
        and model != '<synthetic>'
    group by 1, 2

),

titles as (

    select
        conversation_id,
        summary_text as title
    from (
        select
            conversation_id,
            summary_text,
            row_number() over (
                partition by conversation_id
                order by
                    case summary_type
                        when 'title' then 1
                        when 'ai_title' then 2
                        when 'session_summary' then 3
                        else 4
                    end,
                    occurred_at desc nulls last,
                    record_ordinal desc
            ) as title_rank
        from summaries
        where
            summary_type in ('title', 'ai_title', 'session_summary')
            and summary_text is not null
    ) as ranked_titles
    where title_rank = 1

),

copied_from as (

    select
        landed_messages.conversation_id,
        min(messages.conversation_id) as parent_conversation_id
    from landed_messages
    inner join messages
        on landed_messages.message_id = messages.message_id
    where landed_messages.conversation_id != messages.conversation_id
    group by 1

),

final as (

    select
        conversation_keys.conversation_id,
        conversation_keys.platform,
        latest.platform_version,
        conversation_keys.native_session_id,
        coalesce(titles.title, substr(first_prompts.first_prompt, 1, 200)) as title,
        model_usage.model,
        copied_from.parent_conversation_id,
        coalesce(totals.is_sidechain, false) as is_sidechain,
        latest.workspace_path,
        latest.git_branch,
        cast(null as {{ dbt.type_string() }}) as git_commit,
        totals.created_at,
        totals.updated_at,
        case
            when totals.total_messages is null then 'empty'
            when latest.last_is_api_error then 'errored'
            when latest.last_role in ('user', 'tool') then 'in_progress'
            else 'completed'
        end as status,
        coalesce(totals.total_messages, 0) as total_messages,
        -- null, not zero, when the platform records no tokens at all (ChatGPT exports)
        case
            when totals.usage_messages > 0
                then
                    totals.total_uncached_input_tokens + totals.total_cache_read_tokens
                    + totals.total_cache_write_tokens
        end as total_input_tokens,
        case when totals.usage_messages > 0 then totals.total_uncached_input_tokens end
            as total_uncached_input_tokens,
        case when totals.usage_messages > 0 then totals.total_output_tokens end as total_output_tokens,
        case when totals.usage_messages > 0 then totals.total_cache_read_tokens end as total_cache_read_tokens,
        case when totals.usage_messages > 0 then totals.total_cache_write_tokens end as total_cache_write_tokens,
        totals.total_cost,
        case
            when totals.unpriced_messages > 0 then 'unpriced'
            when totals.reported_cost_messages > 0 and totals.estimated_cost_messages = 0 then 'reported'
            when totals.estimated_cost_messages > 0 then 'estimated'
        end as cost_source,
        {{ milliseconds_between('totals.created_at', 'totals.updated_at') }} as duration_ms,
        coalesce(
            totals.raw_checksum,
            {{ sha256_hex("'conversation without messages|' || conversation_keys.conversation_id") }}
        ) as raw_checksum,
        content_hashes.content_hash,
        totals.imported_at,
        totals.first_app_version,
        coalesce(totals.source_files, 0) as source_files,
        coalesce(totals.sidechain_messages, 0) as sidechain_messages,
        coalesce(totals.api_error_messages, 0) as api_error_messages,
        coalesce(totals.unpriced_messages, 0) as unpriced_messages
    from conversation_keys
    left join totals
        on conversation_keys.conversation_id = totals.conversation_id
    left join latest
        on conversation_keys.conversation_id = latest.conversation_id
    left join first_prompts
        on conversation_keys.conversation_id = first_prompts.conversation_id
    left join model_usage
        on
            conversation_keys.conversation_id = model_usage.conversation_id
            and model_usage.model_rank = 1
    left join titles
        on conversation_keys.conversation_id = titles.conversation_id
    left join copied_from
        on conversation_keys.conversation_id = copied_from.conversation_id
    left join content_hashes
        on conversation_keys.conversation_id = content_hashes.conversation_id

)

select * from final
