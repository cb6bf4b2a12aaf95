{#- One row per message (platform + the platform's own message id) across every file and run:
    - a message landed more than once keeps one copy (copy_rank 1 of int_message_copies_ranked);
    - one API response written as several lines (same api_response_id) carries its usage on
      exactly one of them: the final line (stop reason set; else the largest output), the others
      get null usage, so tokens are counted once;
    - the platform's role is mapped to the unified four by the role_mapping seed (an unmapped
      role stays null and fails tests/assert_every_native_role_is_mapped). -#}

{{ incremental_by_conversation() }}

with

ranked as (

    select * from {{ ref('int_message_copies_ranked') }}
    where {{ changed_conversations_filter() }}

),

roles as (

    select * from {{ ref('int_role_mappings_unioned') }}

),

kept as (

    select
        ranked.*,
        roles.role
    from ranked
    left join roles
        on
            ranked.platform = roles.platform
            and ranked.native_role = roles.native_role
    where ranked.copy_rank = 1

),

usage_ranked as (

    select
        *,
        case
            when api_response_id is null then 1
            else row_number() over (
                partition by platform, api_response_id
                order by
                    case when is_final_response_line then 0 else 1 end,
                    output_tokens desc nulls last,
                    occurred_at desc nulls last,
                    record_ordinal desc
            )
        end as usage_rank
    from kept

),

folded as (

    select
        message_id,
        conversation_id,
        parent_message_id,
        platform,
        native_message_id,
        native_session_id,
        api_response_id,
        native_role,
        role,
        model,
        user_type,
        workspace_path,
        git_branch,
        app_version,
        case when usage_rank = 1 then input_tokens end as input_tokens,
        case when usage_rank = 1 then output_tokens end as output_tokens,
        case when usage_rank = 1 then cache_read_tokens end as cache_read_tokens,
        case when usage_rank = 1 then cache_write_tokens end as cache_write_tokens,
        case when usage_rank = 1 then cache_write_5m_tokens end as cache_write_5m_tokens,
        case when usage_rank = 1 then cache_write_1h_tokens end as cache_write_1h_tokens,
        case when usage_rank = 1 then reasoning_tokens end as reasoning_tokens,
        case when usage_rank = 1 then reported_cost end as reported_cost,
        usage_rank = 1 and coalesce(
            input_tokens, output_tokens, cache_read_tokens, cache_write_tokens
        ) is not null as is_usage_line,
        duration_ms,
        is_sidechain,
        is_api_error,
        is_active_path,
        occurred_at,
        extracted_at,
        copies_landed,
        raw_checksum,
        source_uri,
        record_locator,
        record_ordinal,
        source_file_version,
        run_id,
        metadata
    from usage_ranked

)

select * from folded
