{#- The parsing Cline and Roo Code (and their forks) share: their task folders have one format
    (extract/platforms/cline_family.py), so stg_cline__* and stg_roo_code__* are one-line calls
    of these macros with the platform name. Each macro reads the platform's own models through
    ref('<prefix>_<platform>__<entity>'), so the two lineages stay separate. -#}

{# canonical file names of a task folder, and the regular expression that finds one inside a
   copied file's name (`<task>_ui_messages.json` -> task `<task>`) #}
{% macro _cline_family_canonical_names() -%}
    ('ui_messages.json', 'api_conversation_history.json', 'claude_messages.json',
    'task_metadata.json', 'history_item.json')
{%- endmacro %}


{# the task (or SDK session) a record belongs to, from its file's path:
   tasks/<task id>/<canonical name> -> <task id>; a copy named <prefix>_<canonical part>... ->
   <prefix>; an SDK <id>.json / <id>.messages.json -> <id>. Windows paths count too: chr(92) is the
   backslash (a '\' literal does not parse on Spark) #}
{% macro cline_family_task_id(source_uri, record_kind) -%}
    {%- set path = "replace(" ~ source_uri ~ ", chr(92), '/')" -%}
    {%- set fname = file_name(path) -%}
    {%- set parent = dbt.split_part(
        "substr(" ~ path ~ ", 1, length(" ~ path ~ ") - length(" ~ fname ~ ") - 1)", "'/'", -1
    ) -%}
    case
        when {{ record_kind }} in ('sdk_message', 'sdk_messages')
            then replace({{ fname }}, '.messages.json', '')
        when {{ record_kind }} = 'sdk_session'
            then substr({{ fname }}, 1, length({{ fname }}) - 5)
        when {{ fname }} in {{ _cline_family_canonical_names() }} then {{ parent }}
        else coalesce(
            {{ regex_extract(fname, '^(.*[^_.-])[_.-]+(ui_messages|api_conversation_history|claude_messages|task_metadata|history_item)') }},
            {{ parent }}
        )
    end
{%- endmacro %}


{# the VS Code extension a task file belongs to (the folder under globalStorage); null elsewhere #}
{% macro cline_family_extension_id(source_uri) -%}
    nullif({{ dbt.split_part(
        dbt.split_part("replace(" ~ source_uri ~ ", chr(92), '/')", "'/globalStorage/'", 2), "'/'", 1
    ) }}, '')
{%- endmacro %}


{# the uncached input tokens of an api_req_started: Roo's apiProtocol 'openai' means tokensIn
   includes the cache reads and writes; 'anthropic' (and Cline, which normalizes every provider to
   disjoint counts and writes no apiProtocol) means it excludes them #}
{% macro cline_family_uncached_input(tokens_in, cache_reads, cache_writes, api_protocol) -%}
    case
        when {{ api_protocol }} = 'openai'
            then {{ uncached_input_tokens(tokens_in, cache_reads, cache_writes, true) }}
        else {{ uncached_input_tokens(tokens_in, cache_reads, cache_writes, false) }}
    end
{%- endmacro %}


{# ----------------------------------------------------------------------------------------------
   stg_<platform>__task_records: every landed record, JSON-guarded, with its task and file version
   ---------------------------------------------------------------------------------------------- #}
{% macro cline_family_task_records(platform) -%}
with

source as (

    select * from {{ ref('base_' ~ platform ~ '__records') }}

),

guarded as (

    {{ select_json_guarded('source') }}

),

final as (

    select
        platform,
        source_uri,
        record_locator,
        record_ordinal,
        record_kind,
        raw_checksum,
        source_file_version,
        run_id,
        extracted_at,
        {{ cline_family_task_id('source_uri', 'record_kind') }} as task_id,
        source_file_version = max(source_file_version) over (partition by source_uri)
            as is_latest_file_version,
        is_valid_json,
        json_root_type,
        record_json,
        case
            when not is_valid_json then 'invalid JSON: the record does not parse'
            when record_kind in ('ui_messages', 'api_history', 'task_history')
                then 'not a JSON array: the ' || record_kind
                || ' file does not hold an array of objects (truncated or another shape)'
            when json_root_type != 'object'
                then 'not a JSON object (' || json_root_type || ')'
        end as parse_error
    from guarded

)

select * from final
{%- endmacro %}


{# ----------------------------------------------------------------------------------------------
   stg_<platform>__ui_messages: one row per ClineMessage of ui_messages.json (every version)
   ---------------------------------------------------------------------------------------------- #}
{% macro cline_family_ui_messages(platform) -%}
with

records as (

    select * from {{ ref('stg_' ~ platform ~ '__task_records') }}
    where
        record_kind = 'ui_message'
        and parse_error is null

),

parsed as (

    select
        *,
        {{ try_cast_bigint(json_text('record_json', ['ts'])) }} as ts,
        {{ json_text('record_json', ['type']) }} as message_type,
        {{ json_text('record_json', ['say']) }} as say,
        {{ json_text('record_json', ['ask']) }} as ask,
        {{ json_text('record_json', ['text']) }} as message_text,
        {{ json_text('record_json', ['reasoning']) }} as reasoning,
        {{ json_text('record_json', ['partial']) }} = 'true' as is_partial,
        {{ try_cast_bigint(json_text('record_json', ['conversationHistoryIndex'])) }}
            as conversation_history_index,
        {{ json_text('record_json', ['modelInfo', 'modelId']) }} as model_id,
        {{ json_text('record_json', ['modelInfo', 'providerId']) }} as provider_id,
        {{ json_text('record_json', ['modelInfo', 'mode']) }} as mode,
        {{ json_text('record_json', ['apiProtocol']) }} as message_api_protocol,
        {{ json_array_length('record_json', ['images']) }} as image_count,
        -- plain chat rows ({role|type: user|assistant, content|text, timestamp}) of copied files
        coalesce(
            {{ json_text('record_json', ['role']) }},
            {{ json_text('record_json', ['type']) }}
        ) as plain_role,
        coalesce(
            {{ try_cast_bigint(json_text('record_json', ['ts'])) }},
            {{ try_cast_bigint(json_text('record_json', ['timestamp'])) }}
        ) as any_ts,
        -- nested cases: the text is only typed once it is known to parse
        case
            when {{ json_text('record_json', ['say']) }} = 'api_req_started'
                and {{ json_is_valid(json_text('record_json', ['text'])) }}
                then case
                    when {{ json_type(json_text('record_json', ['text'])) }} = 'object'
                        then {{ json_text('record_json', ['text']) }}
                end
        end as request_json
    from records

),

final as (

    select
        ---------- lineage
        platform,
        source_uri,
        record_locator,
        record_ordinal,
        raw_checksum,
        source_file_version,
        is_latest_file_version,
        run_id,
        extracted_at,

        ---------- ids
        task_id,
        ts,
        coalesce(message_type in ('say', 'ask') and ts is not null, false) as is_cline_message,
        case
            when message_type in ('say', 'ask') and ts is not null
                then task_id || ':ui:' || cast(ts as {{ dbt.type_string() }})
            else task_id || ':ui:#' || cast(record_ordinal as {{ dbt.type_string() }})
        end as ui_message_id,

        ---------- strings
        message_type,
        say,
        ask,
        coalesce(say, ask) as message_kind,
        case when coalesce(message_type, '') not in ('say', 'ask') then plain_role end as plain_role,
        coalesce(
            message_text,
            case when {{ json_type('record_json', ['content']) }} = 'string'
                then {{ json_text('record_json', ['content']) }} end
        ) as message_text,
        reasoning,
        model_id,
        provider_id,
        mode,
        coalesce({{ json_text('request_json', ['apiProtocol']) }}, message_api_protocol)
            as api_protocol,
        {{ json_text('request_json', ['request']) }} as request_text,
        {{ json_text('request_json', ['cancelReason']) }} as cancel_reason,
        {{ json_text('request_json', ['streamingFailedMessage']) }} as streaming_failed_message,

        ---------- numerics
        conversation_history_index,
        image_count,
        {{ try_cast_bigint(json_text('request_json', ['tokensIn'])) }} as tokens_in,
        {{ try_cast_bigint(json_text('request_json', ['tokensOut'])) }} as tokens_out,
        {{ try_cast_bigint(json_text('request_json', ['cacheWrites'])) }} as cache_writes,
        {{ try_cast_bigint(json_text('request_json', ['cacheReads'])) }} as cache_reads,
        {{ try_cast_double(json_text('request_json', ['cost'])) }} as cost,

        ---------- booleans
        coalesce(is_partial, false) as is_partial,
        request_json is not null as is_api_request,

        ---------- timestamps
        {{ to_utc_timestamp('any_ts') }} as occurred_at,

        ---------- the turn: the api_req_started (record ordinal) the row follows in its file
        max(case when request_json is not null then record_ordinal end) over (
            partition by source_uri, source_file_version
            order by record_ordinal
            rows between unbounded preceding and current row
        ) as turn_request_ordinal,
        max(case when coalesce(say, ask) = 'command' then record_ordinal end) over (
            partition by source_uri, source_file_version
            order by record_ordinal
            rows between unbounded preceding and current row
        ) as last_command_ordinal,

        ---------- the record
        record_json
    from parsed

)

select * from final
{%- endmacro %}


{# ----------------------------------------------------------------------------------------------
   stg_<platform>__api_messages: one row per entry of api_conversation_history.json (every version)
   ---------------------------------------------------------------------------------------------- #}
{% macro cline_family_api_messages(platform) -%}
with

records as (

    select * from {{ ref('stg_' ~ platform ~ '__task_records') }}
    where
        record_kind = 'api_message'
        and parse_error is null

),

parsed as (

    select
        *,
        coalesce(
            {{ json_text('record_json', ['role']) }},
            {{ json_text('record_json', ['type']) }}
        ) as role,
        coalesce(
            {{ try_cast_bigint(json_text('record_json', ['ts'])) }},
            {{ try_cast_bigint(json_text('record_json', ['timestamp'])) }}
        ) as ts,
        case
            when {{ json_type('record_json', ['content']) }} = 'array'
                then {{ json_value('record_json', ['content']) }}
            when {{ json_type('record_json', ['content']) }} = 'string'
                then '[' || {{ json_object([('type', "'text'"), ('text', json_text('record_json', ['content']))]) }} || ']'
            when {{ json_type('record_json', ['text']) }} = 'string'
                then '[' || {{ json_object([('type', "'text'"), ('text', json_text('record_json', ['text']))]) }} || ']'
        end as content_json,
        {{ json_type('record_json', ['content']) }} = 'array' as content_is_array
    from records

),

final as (

    select
        ---------- lineage
        platform,
        source_uri,
        record_locator,
        record_ordinal,
        raw_checksum,
        source_file_version,
        is_latest_file_version,
        run_id,
        extracted_at,

        ---------- ids
        task_id,
        record_ordinal - 1 as history_index,
        task_id || ':' || cast(record_ordinal - 1 as {{ dbt.type_string() }}) as native_message_id,
        {{ json_text('record_json', ['id']) }} as response_id,

        ---------- strings
        role,
        {{ json_text('record_json', ['modelInfo', 'modelId']) }} as model_id,
        {{ json_text('record_json', ['modelInfo', 'providerId']) }} as provider_id,
        {{ json_text('record_json', ['modelInfo', 'mode']) }} as mode,
        {{ json_text('record_json', ['condenseId']) }} as condense_id,
        {{ json_text('record_json', ['condenseParent']) }} as condense_parent,
        {{ json_text('record_json', ['truncationParent']) }} as truncation_parent,
        {{ json_value('record_json', ['metrics']) }} as metrics_json,
        content_json,

        ---------- numerics
        ts,

        ---------- booleans
        content_is_array,
        coalesce({{ json_text('record_json', ['isSummary']) }} = 'true', false) as is_summary,
        coalesce({{ json_text('record_json', ['isTruncationMarker']) }} = 'true', false)
            as is_truncation_marker,

        ---------- timestamps
        {{ to_utc_timestamp('ts') }} as occurred_at,

        ---------- the record
        record_json,
        case
            when role is null or role not in ('user', 'assistant')
                then 'not an API history message: no role user or assistant'
            when content_json is null
                then 'not an API history message: no content (array or string) and no text'
        end as parse_error
    from parsed

)

select * from final
{%- endmacro %}


{# ----------------------------------------------------------------------------------------------
   stg_<platform>__tasks: one row per task (or SDK session) with what its metadata files say
   ---------------------------------------------------------------------------------------------- #}
{% macro cline_family_tasks(platform, with_sdk=false) -%}
with

records as (

    select * from {{ ref('stg_' ~ platform ~ '__task_records') }}
    where
        parse_error is null
        and is_latest_file_version

),

metadata_models as (

    select
        records.task_id,
        max(usage.element_index) over (partition by records.source_uri) as last_index,
        usage.element_index,
        {{ json_text('usage.element_json', ['model_id']) }} as model_id
    from records
    cross join lateral {{ json_each_element('records.record_json', ['model_usage'], 'usage') }}
    where records.record_kind = 'task_metadata'

),

facts as (

    -- task_metadata.json: the title some copies carry, the last model it used
    select
        records.task_id,
        {{ json_text('record_json', ['title']) }} as title,
        cast(null as {{ dbt.type_string() }}) as workspace_path,
        metadata_models.model_id,
        cast(null as {{ dbt.type_string() }}) as parent_task_id,
        cast(null as {{ dbt.type_string() }}) as root_task_id,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(null as {{ dbt.type_string() }}) as mode,
        cast(null as {{ dbt.type_bigint() }}) as history_tokens_in,
        cast(null as {{ dbt.type_bigint() }}) as history_tokens_out,
        cast(null as {{ dbt.type_bigint() }}) as history_cache_writes,
        cast(null as {{ dbt.type_bigint() }}) as history_cache_reads,
        cast(null as {{ type_double() }}) as history_total_cost,
        cast(null as {{ dbt.type_bigint() }}) as history_ts,
        cast(null as {{ dbt.type_string() }}) as started_at_text,
        cast(null as {{ dbt.type_string() }}) as ended_at_text,
        records.source_uri,
        records.record_ordinal,
        records.raw_checksum,
        records.extracted_at
    from records
    left join metadata_models
        on
            records.task_id = metadata_models.task_id
            and metadata_models.element_index = metadata_models.last_index
    where records.record_kind = 'task_metadata'

    union all

    -- HistoryItem: Roo's history_item.json, or an element of Cline's taskHistory.json (whose
    -- task is the item's id, not the file's folder)
    select
        case
            when record_kind = 'history_item' and record_locator != 'document'
                then {{ json_text('record_json', ['id']) }}
            else task_id
        end as task_id,
        {{ json_text('record_json', ['task']) }} as title,
        coalesce(
            {{ json_text('record_json', ['workspace']) }},
            {{ json_text('record_json', ['cwdOnTaskInitialization']) }}
        ) as workspace_path,
        {{ json_text('record_json', ['modelId']) }} as model_id,
        {{ json_text('record_json', ['parentTaskId']) }} as parent_task_id,
        {{ json_text('record_json', ['rootTaskId']) }} as root_task_id,
        {{ json_text('record_json', ['status']) }} as status,
        {{ json_text('record_json', ['mode']) }} as mode,
        {{ try_cast_bigint(json_text('record_json', ['tokensIn'])) }} as history_tokens_in,
        {{ try_cast_bigint(json_text('record_json', ['tokensOut'])) }} as history_tokens_out,
        {{ try_cast_bigint(json_text('record_json', ['cacheWrites'])) }} as history_cache_writes,
        {{ try_cast_bigint(json_text('record_json', ['cacheReads'])) }} as history_cache_reads,
        {{ try_cast_double(json_text('record_json', ['totalCost'])) }} as history_total_cost,
        {{ try_cast_bigint(json_text('record_json', ['ts'])) }} as history_ts,
        cast(null as {{ dbt.type_string() }}) as started_at_text,
        cast(null as {{ dbt.type_string() }}) as ended_at_text,
        source_uri,
        record_ordinal,
        raw_checksum,
        extracted_at
    from records
    where record_kind = 'history_item'
{%- if with_sdk %}

    union all

    -- Cline SDK session metadata (<id>.json)
    select
        task_id,
        {{ json_text('record_json', ['metadata', 'title']) }} as title,
        coalesce(
            {{ json_text('record_json', ['workspace_root']) }},
            {{ json_text('record_json', ['cwd']) }}
        ) as workspace_path,
        {{ json_text('record_json', ['model']) }} as model_id,
        {{ json_text('record_json', ['metadata', 'fork', 'forkedFromSessionId']) }} as parent_task_id,
        cast(null as {{ dbt.type_string() }}) as root_task_id,
        {{ json_text('record_json', ['status']) }} as status,
        {{ json_text('record_json', ['metadata', 'mode']) }} as mode,
        cast(null as {{ dbt.type_bigint() }}) as history_tokens_in,
        cast(null as {{ dbt.type_bigint() }}) as history_tokens_out,
        cast(null as {{ dbt.type_bigint() }}) as history_cache_writes,
        cast(null as {{ dbt.type_bigint() }}) as history_cache_reads,
        cast(null as {{ type_double() }}) as history_total_cost,
        cast(null as {{ dbt.type_bigint() }}) as history_ts,
        {{ json_text('record_json', ['started_at']) }} as started_at_text,
        {{ json_text('record_json', ['ended_at']) }} as ended_at_text,
        source_uri,
        record_ordinal,
        raw_checksum,
        extracted_at
    from records
    where record_kind = 'sdk_session'
{%- endif %}

),

-- the first user message of the task's API history: its <environment_details> name the working
-- directory (Cline) or workspace directory (Roo), and Roo's the model
first_prompts as (

    select
        task_id,
        {{ json_array_join_key('content_json', [], 'text', "'\n'") }} as prompt_text,
        extracted_at
    from {{ ref('stg_' ~ platform ~ '__api_messages') }}
    where
        is_latest_file_version
        and history_index = 0
        and parse_error is null

),

task_ids as (

    select task_id from facts
    union
    select task_id from first_prompts

),

-- when each metadata record's content was first landed (a file landed again unchanged, such as
-- Cline's history index on every task it adds, leaves it as it was)
first_landings as (

    select
        source_uri,
        raw_checksum,
        min(extracted_at) as first_extracted_at
    from {{ ref('stg_' ~ platform ~ '__task_records') }}
    where record_kind in ('task_metadata', 'history_item', 'sdk_session')
    group by 1, 2

),

-- the record the task's title comes from: the title summary's source (its lake scope) and when
-- that content was first landed
title_sources as (

    select
        facts.task_id,
        facts.source_uri,
        first_landings.first_extracted_at,
        row_number() over (
            partition by facts.task_id order by facts.title desc, facts.source_uri
        ) as title_rank
    from facts
    inner join first_landings
        on
            facts.source_uri = first_landings.source_uri
            and facts.raw_checksum = first_landings.raw_checksum
    where facts.title is not null

),

aggregated as (

    select
        task_id,
        max(title) as title,
        max(workspace_path) as workspace_path,
        max(model_id) as model_id,
        max(parent_task_id) as parent_task_id,
        max(root_task_id) as root_task_id,
        max(status) as status,
        max(mode) as mode,
        max(history_tokens_in) as history_tokens_in,
        max(history_tokens_out) as history_tokens_out,
        max(history_cache_writes) as history_cache_writes,
        max(history_cache_reads) as history_cache_reads,
        max(history_total_cost) as history_total_cost,
        max(history_ts) as history_ts,
        max(started_at_text) as started_at_text,
        max(ended_at_text) as ended_at_text,
        min(extracted_at) as extracted_at
    from facts
    group by 1

),

final as (

    select
        task_ids.task_id,
        aggregated.title,
        title_sources.source_uri as title_source_uri,
        title_sources.first_extracted_at as title_extracted_at,
        coalesce(
            aggregated.workspace_path,
            {{ regex_extract('first_prompts.prompt_text', 'Current [A-Za-z]+ Directory \\(([^)]+)\\)') }}
        ) as workspace_path,
        coalesce(
            aggregated.model_id,
            {{ regex_extract('first_prompts.prompt_text', '<model>([^<]+)</model>') }}
        ) as model_id,
        aggregated.parent_task_id,
        aggregated.root_task_id,
        aggregated.status,
        aggregated.mode,
        aggregated.history_tokens_in,
        aggregated.history_tokens_out,
        aggregated.history_cache_writes,
        aggregated.history_cache_reads,
        aggregated.history_total_cost,
        {{ to_utc_timestamp('aggregated.history_ts') }} as history_updated_at,
        {{ to_utc_timestamp('aggregated.started_at_text') }} as started_at,
        {{ to_utc_timestamp('aggregated.ended_at_text') }} as ended_at,
        -- the first landing of the task's current records: a history index landed again with the
        -- same item does not change it (nor the task's title summary)
        least(aggregated.extracted_at, first_prompts.extracted_at) as extracted_at
    from task_ids
    left join aggregated
        on task_ids.task_id = aggregated.task_id
    left join first_prompts
        on task_ids.task_id = first_prompts.task_id
    left join title_sources
        on
            task_ids.task_id = title_sources.task_id
            and title_sources.title_rank = 1
    where task_ids.task_id is not null

)

select * from final
{%- endmacro %}


{# ----------------------------------------------------------------------------------------------
   stg_<platform>__api_requests: one row per api_req_started of the latest ui_messages.json of a
   task (its text is rewritten in place as usage arrives, so only the final state counts), with
   normalized usage and the API-history entry it produced:
     - conversationHistoryIndex k (Cline) -> the assistant entry at k + 2 (k is the index of the
       last entry before the request; the request's user message is added at k + 1);
     - no index (Roo) -> the n-th request of the task <-> the n-th assistant entry.
   ---------------------------------------------------------------------------------------------- #}
{% macro cline_family_api_requests(platform) -%}
with

requests as (

    select * from {{ ref('stg_' ~ platform ~ '__ui_messages') }}
    where
        is_api_request
        and is_latest_file_version

),

history as (

    select * from {{ ref('stg_' ~ platform ~ '__api_messages') }}
    where
        is_latest_file_version
        and parse_error is null

),

assistant_entries as (

    select
        task_id,
        history_index,
        row_number() over (partition by task_id order by history_index) as assistant_rank
    from history
    where role = 'assistant'

),

tasks_with_history as (

    select distinct task_id from history

),

ranked as (

    select
        requests.*,
        case
            when requests.conversation_history_index is null
                then row_number() over (
                    partition by requests.task_id, requests.conversation_history_index is null
                    order by requests.ts, requests.record_ordinal
                )
        end as unindexed_rank
    from requests

),

matched as (

    select
        ranked.*,
        tasks_with_history.task_id is not null as task_has_history,
        by_index.history_index as indexed_target,
        by_order.history_index as ordered_target
    from ranked
    left join tasks_with_history
        on ranked.task_id = tasks_with_history.task_id
    left join assistant_entries as by_index
        on
            ranked.task_id = by_index.task_id
            and ranked.conversation_history_index + 2 = by_index.history_index
    left join assistant_entries as by_order
        on
            ranked.task_id = by_order.task_id
            and ranked.unindexed_rank = by_order.assistant_rank

),

final as (

    select
        ---------- lineage
        platform,
        source_uri,
        record_locator,
        record_ordinal,
        raw_checksum,
        source_file_version,
        run_id,
        extracted_at,

        ---------- ids
        task_id,
        ts,
        ui_message_id,
        coalesce(indexed_target, ordered_target) as target_history_index,
        case
            when coalesce(indexed_target, ordered_target) is not null
                then task_id || ':' || cast(coalesce(indexed_target, ordered_target) as {{ dbt.type_string() }})
        end as target_native_message_id,

        ---------- strings
        model_id,
        provider_id,
        mode,
        api_protocol,
        cancel_reason,
        streaming_failed_message,
        request_text,

        ---------- numerics: tokensIn / tokensOut / cacheReads / cacheWrites -> disjoint
        tokens_in,
        tokens_out,
        cache_reads,
        cache_writes,
        {{ cline_family_uncached_input('tokens_in', 'cache_reads', 'cache_writes', 'api_protocol') }}
            as input_tokens,
        tokens_out as output_tokens,
        cache_reads as cache_read_tokens,
        cache_writes as cache_write_tokens,
        cost as reported_cost,
        conversation_history_index,

        ---------- booleans
        task_has_history,
        coalesce(indexed_target, ordered_target) is not null as is_matched,
        coalesce(tokens_in, tokens_out, cache_reads, cache_writes) is not null
        or cost is not null as has_usage,

        ---------- timestamps
        occurred_at
    from matched

)

select * from final
{%- endmacro %}


{# the message columns every unified platform provides (docs/adding_a_platform.md), from a CTE
   that has the family's message fields #}
{% macro _cline_family_message_columns(cte) -%}
    select
        ---------- ids
        platform,
        native_message_id,
        native_session_id,
        native_parent_message_id,
        cast(null as {{ dbt.type_string() }}) as api_response_id,

        ---------- strings
        native_role,
        model,
        cast(null as {{ dbt.type_string() }}) as user_type,
        workspace_path,
        cast(null as {{ dbt.type_string() }}) as git_branch,
        cast(null as {{ dbt.type_string() }}) as app_version,

        ---------- numerics: disjoint tokens (null when the platform recorded none)
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_write_tokens,
        {{ cache_write_5m_tokens('cache_write_tokens', 'cast(null as ' ~ dbt.type_bigint() ~ ')', 'cast(null as ' ~ dbt.type_bigint() ~ ')') }}
            as cache_write_5m_tokens,
        {{ cache_write_1h_tokens('cache_write_tokens', 'cast(null as ' ~ dbt.type_bigint() ~ ')', 'cast(null as ' ~ dbt.type_bigint() ~ ')') }}
            as cache_write_1h_tokens,
        cast(null as {{ dbt.type_bigint() }}) as reasoning_tokens,
        reported_cost,
        cast(null as {{ dbt.type_bigint() }}) as duration_ms,

        ---------- booleans
        native_role = 'assistant' as is_final_response_line,
        false as is_sidechain,
        is_api_error,
        cast(null as boolean) as is_active_path,

        ---------- timestamps
        occurred_at,
        extracted_at,

        ---------- lineage
        raw_checksum,
        source_uri,
        record_locator,
        record_ordinal,
        source_file_version,
        run_id,

        ---------- metadata
        metadata
    from {{ cte }}
{%- endmacro %}


{# ----------------------------------------------------------------------------------------------
   stg_<platform>__messages: one row per message, every landed version (deduplication keeps the
   newest version of each file):
     - a task with an API history: one message per history entry (<task>:<index>); an assistant
       entry carries the usage of the api_req_started that produced it; a request with usage
       whose entry is missing (failed or cancelled before the entry was written) is a message of
       its own (<task>:ui:<ts>), so usage is never lost;
     - a task with only ui_messages.json: its user turns (task, user_feedback, Roo's opening
       say:text) and one assistant message per api_req_started (<task>:ui:<ts>), whose content is
       the response rows that follow it (content_blocks);
     - Cline SDK sessions (with_sdk): one message per element of <id>.messages.json.
   ---------------------------------------------------------------------------------------------- #}
{% macro cline_family_messages(platform, with_sdk=false) -%}
with

history as (

    select * from {{ ref('stg_' ~ platform ~ '__api_messages') }}
    where parse_error is null

),

requests as (

    select * from {{ ref('stg_' ~ platform ~ '__api_requests') }}

),

tasks as (

    select * from {{ ref('stg_' ~ platform ~ '__tasks') }}

),

ui as (

    select * from {{ ref('stg_' ~ platform ~ '__ui_messages') }}

),

tasks_with_history as (

    select distinct task_id from history

),

request_usage as (

    select
        task_id,
        target_history_index,
        count(*) as request_count,
        min(ui_message_id) as request_ui_message_id,
        min(occurred_at) as requested_at,
        max(model_id) as model_id,
        max(api_protocol) as api_protocol,
        max(cancel_reason) as cancel_reason,
        max(streaming_failed_message) as streaming_failed_message,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(reported_cost) as reported_cost
    from requests
    where is_matched
    group by 1, 2

),

history_messages as (

    select
        history.platform,
        history.native_message_id,
        history.task_id as native_session_id,
        case
            when history.history_index > 0
                then history.task_id || ':' || cast(history.history_index - 1 as {{ dbt.type_string() }})
        end as native_parent_message_id,
        history.role as native_role,
        case
            when history.role = 'assistant'
                then coalesce(history.model_id, request_usage.model_id, tasks.model_id)
        end as model,
        tasks.workspace_path,
        request_usage.input_tokens,
        request_usage.output_tokens,
        request_usage.cache_read_tokens,
        request_usage.cache_write_tokens,
        request_usage.reported_cost,
        coalesce(
            request_usage.cancel_reason is not null
            or request_usage.streaming_failed_message is not null,
            false
        ) as is_api_error,
        coalesce(
            history.occurred_at,
            request_usage.requested_at,
            min(history.occurred_at) over (partition by history.task_id),
            tasks.history_updated_at
        ) as occurred_at,
        history.extracted_at,
        history.raw_checksum,
        history.source_uri,
        history.record_locator,
        history.record_ordinal,
        history.source_file_version,
        history.run_id,
        {{ json_object([
            ('source', "'api_history'"),
            ('history_index', 'history.history_index'),
            ('provider_id', 'history.provider_id'),
            ('mode', 'history.mode'),
            ('api_protocol', 'request_usage.api_protocol'),
            ('request_count', 'request_usage.request_count'),
            ('request_ui_message_id', 'request_usage.request_ui_message_id'),
            ('cancel_reason', 'request_usage.cancel_reason'),
            ('response_id', 'history.response_id'),
            ('is_summary', 'history.is_summary'),
            ('condense_id', 'history.condense_id'),
            ('condense_parent', 'history.condense_parent'),
            ('truncation_parent', 'history.truncation_parent'),
            ('is_truncation_marker', 'history.is_truncation_marker'),
            ('metrics', 'history.metrics_json'),
            ('extension_id', cline_family_extension_id('history.source_uri')),
        ], json_keys=['metrics']) }} as metadata
    from history
    left join request_usage
        on
            history.task_id = request_usage.task_id
            and history.history_index = request_usage.target_history_index
            and history.role = 'assistant'
    left join tasks
        on history.task_id = tasks.task_id

),

unmatched_requests as (

    select
        requests.platform,
        requests.ui_message_id as native_message_id,
        requests.task_id as native_session_id,
        cast(null as {{ dbt.type_string() }}) as native_parent_message_id,
        'assistant' as native_role,
        coalesce(requests.model_id, tasks.model_id) as model,
        tasks.workspace_path,
        requests.input_tokens,
        requests.output_tokens,
        requests.cache_read_tokens,
        requests.cache_write_tokens,
        requests.reported_cost,
        requests.cancel_reason is not null
        or requests.streaming_failed_message is not null as is_api_error,
        requests.occurred_at,
        requests.extracted_at,
        requests.raw_checksum,
        requests.source_uri,
        requests.record_locator,
        requests.record_ordinal,
        requests.source_file_version,
        requests.run_id,
        {{ json_object([
            ('source', "'api_req_started'"),
            ('unmatched_request', 'true'),
            ('api_protocol', 'requests.api_protocol'),
            ('conversation_history_index', 'requests.conversation_history_index'),
            ('cancel_reason', 'requests.cancel_reason'),
            ('streaming_failed_message', 'requests.streaming_failed_message'),
        ]) }} as metadata
    from requests
    left join tasks
        on requests.task_id = tasks.task_id
    where
        requests.task_has_history
        and not requests.is_matched
        and requests.has_usage

),

-- tasks with only ui_messages.json: the rows, each with the api_req_started its turn belongs to
ui_only as (

    select
        ui.*,
        ui.turn_request_ordinal is null as is_before_first_request
    from ui
    left join tasks_with_history
        on ui.task_id = tasks_with_history.task_id
    where tasks_with_history.task_id is null

),

ui_messages as (

    select
        ui_only.platform,
        ui_only.ui_message_id as native_message_id,
        ui_only.task_id as native_session_id,
        cast(null as {{ dbt.type_string() }}) as native_parent_message_id,
        case
            when ui_only.is_api_request or ui_only.plain_role = 'assistant' then 'assistant'
            else 'user'
        end as native_role,
        case
            when ui_only.is_api_request or ui_only.plain_role = 'assistant'
                then coalesce(ui_only.model_id, tasks.model_id)
        end as model,
        tasks.workspace_path,
        {{ cline_family_uncached_input('ui_only.tokens_in', 'ui_only.cache_reads', 'ui_only.cache_writes', 'ui_only.api_protocol') }}
            as input_tokens,
        ui_only.tokens_out as output_tokens,
        ui_only.cache_reads as cache_read_tokens,
        ui_only.cache_writes as cache_write_tokens,
        ui_only.cost as reported_cost,
        coalesce(
            ui_only.cancel_reason is not null or ui_only.streaming_failed_message is not null,
            false
        ) as is_api_error,
        coalesce(ui_only.occurred_at, tasks.history_updated_at) as occurred_at,
        ui_only.extracted_at,
        ui_only.raw_checksum,
        ui_only.source_uri,
        ui_only.record_locator,
        ui_only.record_ordinal,
        ui_only.source_file_version,
        ui_only.run_id,
        {{ json_object([
            ('source', "'ui_messages'"),
            ('ui_kind', 'coalesce(ui_only.message_kind, ui_only.plain_role)'),
            ('provider_id', 'ui_only.provider_id'),
            ('mode', 'ui_only.mode'),
            ('api_protocol', 'ui_only.api_protocol'),
            ('conversation_history_index', 'ui_only.conversation_history_index'),
            ('cancel_reason', 'ui_only.cancel_reason'),
            ('extension_id', cline_family_extension_id('ui_only.source_uri')),
        ]) }} as metadata
    from ui_only
    left join tasks
        on ui_only.task_id = tasks.task_id
    where
        ui_only.is_api_request
        or ui_only.plain_role in ('user', 'assistant')
        or (
            ui_only.is_cline_message
            and (
                ui_only.message_kind in ('task', 'user_feedback', 'user_feedback_diff')
                or (ui_only.say = 'text' and ui_only.is_before_first_request)
            )
        )

),
{%- if with_sdk %}

sdk_messages as (

    select
        sdk.platform,
        sdk.native_message_id,
        sdk.session_id as native_session_id,
        sdk.native_parent_message_id,
        sdk.role as native_role,
        case when sdk.role = 'assistant' then coalesce(sdk.model_id, tasks.model_id) end as model,
        tasks.workspace_path,
        -- SDK metrics count cached tokens inside inputTokens (OpenAI-style)
        case
            when sdk.metric_input_tokens is not null
                then {{ uncached_input_tokens('sdk.metric_input_tokens', 'sdk.metric_cache_read_tokens', 'sdk.metric_cache_write_tokens', true) }}
        end as input_tokens,
        sdk.metric_output_tokens as output_tokens,
        sdk.metric_cache_read_tokens as cache_read_tokens,
        sdk.metric_cache_write_tokens as cache_write_tokens,
        sdk.metric_cost as reported_cost,
        false as is_api_error,
        coalesce(sdk.occurred_at, tasks.started_at) as occurred_at,
        sdk.extracted_at,
        sdk.raw_checksum,
        sdk.source_uri,
        sdk.record_locator,
        sdk.record_ordinal,
        sdk.source_file_version,
        sdk.run_id,
        {{ json_object([
            ('source', "'sdk_session'"),
            ('message_id', 'sdk.message_id'),
            ('provider_id', 'sdk.provider_id'),
            ('model_family', 'sdk.model_family'),
            ('metrics', 'sdk.metrics_json'),
        ], json_keys=['metrics']) }} as metadata
    from {{ ref('stg_' ~ platform ~ '__sdk_messages') }} as sdk
    left join tasks
        on sdk.session_id = tasks.task_id
    where sdk.parse_error is null

),
{%- endif %}

messages as (

    select * from history_messages
    union all
    select * from unmatched_requests
    union all
    select * from ui_messages
{%- if with_sdk %}
    union all
    select * from sdk_messages
{%- endif %}

),

final as (

    {{ _cline_family_message_columns('messages') }}

)

select * from final
{%- endmacro %}


{# the unified fields of one Anthropic-style content block (element_json) of the API history or
   of a Cline SDK message: text, thinking, Roo's reasoning items, tool_use, tool_result (content
   a string or an array of text blocks), image (metadata only), SDK file -> file_reference #}
{% macro _cline_family_block_fields(element) -%}
        {{ json_text(element, ['type']) }} as native_block_type,
        case {{ json_text(element, ['type']) }}
            when 'text' then 'text'
            when 'thinking' then 'thinking'
            when 'reasoning' then 'thinking'
            when 'tool_use' then 'tool_use'
            when 'tool_result' then 'tool_result'
            when 'image' then 'image'
            when 'file' then 'file_reference'
            else 'unknown'
        end as block_type,
        case {{ json_text(element, ['type']) }}
            when 'text' then {{ json_text(element, ['text']) }}
            when 'thinking' then {{ json_text(element, ['thinking']) }}
            when 'reasoning' then coalesce(
                {{ json_text(element, ['text']) }},
                {{ json_array_join_key(element, ['summary'], 'text', "'\n'") }}
            )
            when 'tool_result' then case
                when {{ json_type(element, ['content']) }} = 'array'
                    then coalesce(
                        {{ json_array_join_key(element, ['content'], 'text', "'\n'") }},
                        {{ json_array_join_key(element, ['content'], 'result', "'\n'") }},
                        {{ json_value(element, ['content']) }}
                    )
                else {{ json_text(element, ['content']) }}
            end
        end as block_text,
        case {{ json_text(element, ['type']) }}
            when 'tool_use' then {{ json_text(element, ['id']) }}
            when 'tool_result' then {{ json_text(element, ['tool_use_id']) }}
        end as tool_use_id,
        case {{ json_text(element, ['type']) }}
            when 'tool_use' then {{ json_text(element, ['name']) }}
            when 'tool_result' then {{ json_text(element, ['name']) }}
        end as tool_name,
        case
            when {{ json_text(element, ['type']) }} = 'tool_use'
                then coalesce({{ json_value(element, ['input']) }}, '{}')
        end as tool_input_json,
        case
            when {{ json_text(element, ['type']) }} = 'tool_result'
                then coalesce({{ json_text(element, ['is_error']) }} = 'true', false)
        end as is_error,
        {{ json_text(element, ['path']) }} as file_path,
        coalesce(
            {{ json_text(element, ['source', 'media_type']) }},
            {{ json_text(element, ['mediaType']) }}
        ) as media_type
{%- endmacro %}


{# block_json of the unified block kinds (DESIGN.md "Content blocks"), from the block fields #}
{% macro _cline_family_block_json() -%}
        case block_type
            when 'text' then {{ content_block('text', {'text': 'block_text'}) }}
            when 'thinking' then {{ content_block('thinking', {'thinking': 'block_text'}) }}
            when 'tool_use' then {{ content_block(
                'tool_use', {'id': 'tool_use_id', 'name': 'tool_name', 'input': 'tool_input_json'}
            ) }}
            when 'tool_result' then {{ content_block(
                'tool_result', {'tool_use_id': 'tool_use_id', 'content': 'block_text', 'is_error': 'is_error'}
            ) }}
            when 'file_reference' then {{ content_block('file_reference', {'path': 'file_path'}) }}
            when 'image' then {{ content_block('image', extra=[('media_type', 'media_type')]) }}
            else {{ content_block('unknown', {'original': 'original_json'}) }}
        end as block_json
{%- endmacro %}


{# ----------------------------------------------------------------------------------------------
   stg_<platform>__content_blocks: the blocks of every message of stg_<platform>__messages
     - API history entries: their content blocks. Cline often returns a tool's result as user
       text ("[read_file for 'x'] Result:" then the output, in the same block or the next one):
       such a header becomes a tool_result naming the n-th tool_use of the previous assistant
       entry (the next block, when it holds the output, is folded into it); without such a
       tool_use (the XML-tool era) the text stays text.
     - ui-only tasks: a user turn is its text (and image metadata); an api_req_started turn is
       the rows that follow it: reasoning -> thinking, text / completion_result / followup
       questions / plan responses -> text, tool / command / MCP asks -> tool_use (id = the row),
       command_output -> tool_result of the turn's last command.
     - Cline SDK messages (with_sdk): their blocks (text, file, tool_use, tool_result, ...).
   ---------------------------------------------------------------------------------------------- #}
{% macro cline_family_content_blocks(platform, with_sdk=false) -%}
with

messages as (

    select
        native_message_id,
        source_uri,
        record_locator,
        raw_checksum,
        run_id
    from {{ ref('stg_' ~ platform ~ '__messages') }}

),

history as (

    select * from {{ ref('stg_' ~ platform ~ '__api_messages') }}
    where parse_error is null

),

history_elements as (

    select
        history.platform,
        history.native_message_id,
        history.task_id,
        history.history_index,
        history.role,
        history.source_uri,
        history.source_file_version,
        history.record_locator,
        history.raw_checksum,
        history.run_id,
        element.element_index,
        element.element_json as original_json,
        {{ _cline_family_block_fields('element.element_json') }}
    from history
    cross join lateral {{ json_each_element('history.content_json', [], 'element') }}

),

headers as (

    select
        *,
        {{ regex_extract('block_text', '^\\[([A-Za-z0-9_:.-]+)( for [^]]*)?\\] Result:') }}
            as result_tool_name,
        lead(block_text) over (
            partition by source_uri, source_file_version, history_index order by element_index
        ) as next_text,
        lead(block_type) over (
            partition by source_uri, source_file_version, history_index order by element_index
        ) as next_type
    from history_elements

),

result_headers as (

    select
        *,
        row_number() over (
            partition by source_uri, source_file_version, history_index order by element_index
        ) as result_rank
    from headers
    where
        role = 'user'
        and block_type = 'text'
        and result_tool_name is not null

),

previous_tool_uses as (

    select
        source_uri,
        source_file_version,
        history_index,
        tool_use_id,
        tool_name,
        row_number() over (
            partition by source_uri, source_file_version, history_index order by element_index
        ) as tool_rank
    from history_elements
    where block_type = 'tool_use'

),

text_results as (

    select
        result_headers.source_uri,
        result_headers.source_file_version,
        result_headers.history_index,
        result_headers.element_index,
        previous_tool_uses.tool_use_id,
        result_headers.result_tool_name,
        nullif({{ trim_characters(
            dbt.split_part('result_headers.block_text', "'] Result:'", 2),
            "chr(10) || chr(13) || ' '"
        ) }}, '')
            as inline_output,
        result_headers.next_text,
        result_headers.next_type
    from result_headers
    inner join previous_tool_uses
        on
            result_headers.source_uri = previous_tool_uses.source_uri
            and result_headers.source_file_version = previous_tool_uses.source_file_version
            and result_headers.history_index - 1 = previous_tool_uses.history_index
            and result_headers.result_rank = previous_tool_uses.tool_rank

),

history_blocks as (

    select
        history_elements.platform,
        history_elements.native_message_id,
        history_elements.run_id,
        history_elements.raw_checksum,
        history_elements.source_uri,
        history_elements.record_locator,
        history_elements.element_index as block_index,
        case when text_results.tool_use_id is not null then 'tool_result' else history_elements.block_type end
            as block_type,
        history_elements.native_block_type,
        case
            when text_results.tool_use_id is not null
                then coalesce(
                    text_results.inline_output,
                    case when text_results.next_type = 'text' then text_results.next_text end,
                    history_elements.block_text
                )
            else history_elements.block_text
        end as block_text,
        coalesce(text_results.tool_use_id, history_elements.tool_use_id) as tool_use_id,
        coalesce(text_results.result_tool_name, history_elements.tool_name) as tool_name,
        history_elements.tool_input_json,
        case when text_results.tool_use_id is not null then false else history_elements.is_error end
            as is_error,
        history_elements.file_path,
        history_elements.media_type,
        history_elements.original_json
    from history_elements
    left join text_results
        on
            history_elements.source_uri = text_results.source_uri
            and history_elements.source_file_version = text_results.source_file_version
            and history_elements.history_index = text_results.history_index
            and history_elements.element_index = text_results.element_index
    -- the output block a header-only result took in
    left join text_results as folded
        on
            history_elements.source_uri = folded.source_uri
            and history_elements.source_file_version = folded.source_file_version
            and history_elements.history_index = folded.history_index
            and history_elements.element_index = folded.element_index + 1
            and folded.inline_output is null
            and folded.next_type = 'text'
    where folded.tool_use_id is null

),

ui as (

    select * from {{ ref('stg_' ~ platform ~ '__ui_messages') }}

),

ui_message_rows as (

    select
        ui.*,
        messages.native_message_id
    from ui
    inner join messages
        on
            ui.ui_message_id = messages.native_message_id
            and ui.raw_checksum = messages.raw_checksum
            and ui.run_id = messages.run_id
            and ui.source_uri = messages.source_uri
            and ui.record_locator = messages.record_locator

),

-- a ui-only user turn (or plain chat row): its text, then its images' metadata
ui_user_blocks as (

    select
        platform,
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        0 as block_index,
        'text' as block_type,
        coalesce(message_kind, plain_role) as native_block_type,
        message_text as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        cast(null as {{ dbt.type_string() }}) as file_path,
        cast(null as {{ dbt.type_string() }}) as media_type,
        record_json as original_json
    from ui_message_rows
    where
        not is_api_request
        and message_text is not null

    union all

    select
        ui_message_rows.platform,
        ui_message_rows.native_message_id,
        ui_message_rows.run_id,
        ui_message_rows.raw_checksum,
        ui_message_rows.source_uri,
        ui_message_rows.record_locator,
        image.element_index + 1 as block_index,
        'image' as block_type,
        'images' as native_block_type,
        cast(null as {{ dbt.type_string() }}) as block_text,
        cast(null as {{ dbt.type_string() }}) as tool_use_id,
        cast(null as {{ dbt.type_string() }}) as tool_name,
        cast(null as {{ dbt.type_string() }}) as tool_input_json,
        cast(null as boolean) as is_error,
        cast(null as {{ dbt.type_string() }}) as file_path,
        {{ regex_extract('image.element_json', '^"data:([^;,]+)') }} as media_type,
        cast(null as {{ dbt.type_string() }}) as original_json
    from ui_message_rows
    cross join lateral {{ json_each_element('ui_message_rows.record_json', ['images'], 'image') }}
    where not ui_message_rows.is_api_request

),

-- a ui-only api_req_started turn: the response rows that follow it in the same file version
ui_turn_rows as (

    select
        requests.platform,
        requests.native_message_id,
        requests.run_id,
        requests.raw_checksum,
        requests.source_uri,
        requests.record_locator,
        row_number() over (
            partition by requests.native_message_id, requests.raw_checksum, requests.run_id
            order by ui.record_ordinal
        ) - 1 as block_index,
        ui.ui_message_id as row_message_id,
        ui.message_kind,
        ui.message_text,
        ui.record_json,
        case
            when {{ json_is_valid('ui.message_text') }}
                then case when {{ json_type('ui.message_text') }} = 'object' then ui.message_text end
        end as text_json,
        commands.ui_message_id as command_message_id
    from ui_message_rows as requests
    inner join ui
        on
            requests.source_uri = ui.source_uri
            and requests.source_file_version = ui.source_file_version
            and requests.record_ordinal = ui.turn_request_ordinal
    left join ui as commands
        on
            ui.source_uri = commands.source_uri
            and ui.source_file_version = commands.source_file_version
            and ui.last_command_ordinal = commands.record_ordinal
    where
        requests.is_api_request
        and ui.message_kind in (
            'reasoning', 'text', 'completion_result', 'followup', 'plan_mode_respond', 'tool',
            'command', 'command_output', 'use_mcp_server', 'mcp_server_request_started'
        )

),

ui_turn_blocks as (

    select
        platform,
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        block_index,
        case
            when message_kind = 'reasoning' then 'thinking'
            when message_kind in ('text', 'completion_result', 'followup', 'plan_mode_respond') then 'text'
            when message_kind = 'command_output' then 'tool_result'
            else 'tool_use'
        end as block_type,
        message_kind as native_block_type,
        case
            when message_kind in ('followup', 'plan_mode_respond')
                then coalesce(
                    {{ json_text('text_json', ['question']) }},
                    {{ json_text('text_json', ['response']) }},
                    message_text
                )
            when message_kind in ('reasoning', 'text', 'completion_result', 'command_output')
                then message_text
        end as block_text,
        case
            when message_kind = 'command_output' then command_message_id
            when message_kind in ('tool', 'command', 'use_mcp_server', 'mcp_server_request_started')
                then row_message_id
        end as tool_use_id,
        case
            when message_kind = 'tool' then coalesce({{ json_text('text_json', ['tool']) }}, 'tool')
            when message_kind = 'command' then 'execute_command'
            when message_kind in ('use_mcp_server', 'mcp_server_request_started')
                then coalesce({{ json_text('text_json', ['toolName']) }}, 'use_mcp_server')
        end as tool_name,
        case
            when message_kind = 'command'
                then {{ json_object([('command', 'message_text')]) }}
            when message_kind in ('tool', 'use_mcp_server', 'mcp_server_request_started')
                then coalesce(text_json, {{ json_object([('text', 'message_text')]) }})
        end as tool_input_json,
        case when message_kind = 'command_output' then false end as is_error,
        cast(null as {{ dbt.type_string() }}) as file_path,
        cast(null as {{ dbt.type_string() }}) as media_type,
        record_json as original_json
    from ui_turn_rows

),
{%- if with_sdk %}

sdk_blocks as (

    select
        sdk.platform,
        sdk.native_message_id,
        sdk.run_id,
        sdk.raw_checksum,
        sdk.source_uri,
        sdk.record_locator,
        element.element_index as block_index,
        {{ _cline_family_block_fields('element.element_json') }},
        element.element_json as original_json
    from {{ ref('stg_' ~ platform ~ '__sdk_messages') }} as sdk
    cross join lateral {{ json_each_element('sdk.content_json', [], 'element') }}
    where sdk.parse_error is null

),
{%- endif %}

blocks as (

    select
        platform, native_message_id, run_id, raw_checksum, source_uri, record_locator,
        block_index, block_type, native_block_type, block_text, tool_use_id, tool_name,
        tool_input_json, is_error, file_path, media_type, original_json
    from history_blocks
    union all
    select * from ui_user_blocks
    union all
    select * from ui_turn_blocks
{%- if with_sdk %}
    union all
    select
        platform, native_message_id, run_id, raw_checksum, source_uri, record_locator,
        block_index, block_type, native_block_type, block_text, tool_use_id, tool_name,
        tool_input_json, is_error, file_path, media_type, original_json
    from sdk_blocks
{%- endif %}

),

final as (

    select
        platform,
        native_message_id,
        run_id,
        raw_checksum,
        source_uri,
        record_locator,
        block_index,
        block_type,
        native_block_type,
        block_text,
        tool_use_id,
        tool_name,
        tool_input_json,
        is_error,
        {{ _cline_family_block_json() }}
    from blocks

)

select * from final
{%- endmacro %}


{# ----------------------------------------------------------------------------------------------
   stg_<platform>__summaries: a task's title (task_metadata `title`, the HistoryItem's `task`, the
   SDK session's `metadata.title`) and Roo's condense summaries (API entries with isSummary)
   ---------------------------------------------------------------------------------------------- #}
{% macro cline_family_summaries(platform) -%}
with

tasks as (

    select * from {{ ref('stg_' ~ platform ~ '__tasks') }}
    where title is not null

),

history as (

    select * from {{ ref('stg_' ~ platform ~ '__api_messages') }}
    where
        parse_error is null
        and is_summary

),

titles as (

    select
        '{{ platform }}' as platform,
        task_id as native_session_id,
        'title' as summary_type,
        title as summary_text,
        cast(null as {{ dbt.type_string() }}) as covers_native_message_id,
        coalesce(history_updated_at, ended_at, started_at) as occurred_at,
        -- the title's own record, not the task's: the title of a task whose folder this build does
        -- not read comes from the history index alone. No ordinal: an index item's position moves
        -- whenever the index gains an item
        title_extracted_at as extracted_at,
        title_source_uri as source_uri,
        cast(null as {{ dbt.type_bigint() }}) as record_ordinal
    from tasks

),

compactions as (

    select
        platform,
        task_id as native_session_id,
        'compaction' as summary_type,
        {{ json_array_join_key('content_json', [], 'text', "'\n'") }} as summary_text,
        native_message_id as covers_native_message_id,
        occurred_at,
        extracted_at,
        source_uri,
        record_ordinal
    from history

)

select * from titles
union all
select * from compactions
{%- endmacro %}


{# ----------------------------------------------------------------------------------------------
   stg_<platform>__dead_letters: records that cannot become part of a conversation: not JSON, not
   an object, a task file that is not an array, an API history entry without a role or content
   ---------------------------------------------------------------------------------------------- #}
{% macro cline_family_dead_letters(platform, with_sdk=false) -%}
with

records as (

    select
        platform,
        source_uri,
        record_locator,
        record_kind,
        parse_error as reason,
        raw_checksum,
        extracted_at,
        run_id
    from {{ ref('stg_' ~ platform ~ '__task_records') }}
    where parse_error is not null

),

history as (

    select
        platform,
        source_uri,
        record_locator,
        'api_message' as record_kind,
        parse_error as reason,
        raw_checksum,
        extracted_at,
        run_id
    from {{ ref('stg_' ~ platform ~ '__api_messages') }}
    where parse_error is not null

)
{%- if with_sdk %},

sdk as (

    select
        platform,
        source_uri,
        record_locator,
        'sdk_message' as record_kind,
        parse_error as reason,
        raw_checksum,
        extracted_at,
        run_id
    from {{ ref('stg_' ~ platform ~ '__sdk_messages') }}
    where parse_error is not null

)
{%- endif %}

select * from records
union all
select * from history
{%- if with_sdk %}
union all
select * from sdk
{%- endif %}
{%- endmacro %}
