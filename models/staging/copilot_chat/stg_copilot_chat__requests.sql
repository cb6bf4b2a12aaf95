{#- One row per Copilot Chat request (a user turn and its response) in the replayed final state of
    each session file (latest landed version; superseded `.json` files skipped).

    Replay of the `requests` array (see _copilot_chat__docs.md): the array events are the last
    kind-0 state (resets the array to its `requests`), kind-2 pushes on `["requests"]` (truncate to
    `i` when given, then append `v`) and kind-1 sets / kind-3 deletes of the whole array. A push
    writes its items from position `i` (when given) or from the current length; the current length
    is computed with window functions: events are segmented by the latest truncating event, and
    the length after an event is the segment's truncate index plus the running sum of pushed item
    counts. Kind-1 sets on `["requests", n]` replace position n. The request at position p
    (p < final length) is the last write to p (its "writer" entry).

    Request fields: kind-1 sets / kind-3 deletes on `["requests", n, <key>]` (and
    `["requests", n, "message", "text"]`) written after the request's writer entry override the
    writer's value; the last one wins. -#}

{%- set fields = [
    ('requestId', 'request_id'), ('timestamp', 'timestamp'), ('modelId', 'model_id'),
    ('message', 'message'), ('result', 'result'), ('isCanceled', 'is_canceled'),
    ('modelState', 'model_state'), ('promptTokens', 'prompt_tokens'),
    ('completionTokens', 'completion_tokens'), ('copilotCredits', 'copilot_credits'),
    ('agent', 'agent'), ('responseId', 'response_id'), ('elapsedMs', 'elapsed_ms'),
    ('timeSpentWaiting', 'time_spent_waiting'), ('isHidden', 'is_hidden'),
    ('shouldBeRemovedOnSend', 'should_be_removed_on_send'), ('modeInfo', 'mode_info'),
    ('slashCommand', 'slash_command'), ('vote', 'vote'), ('variableData', 'variable_data')
] %}

with

entries as (

    select * from {{ ref('stg_copilot_chat__mutations') }}
    where is_replayed

),

sessions as (

    select * from {{ ref('stg_copilot_chat__sessions') }}
    where not is_superseded

),

array_events as (

    select
        source_uri,
        record_ordinal as event_ordinal,
        0 as truncate_index,
        {{ json_value('value_json', ['requests']) }} as items_json,
        coalesce({{ json_array_length('value_json', ['requests']) }}, 0) as item_count
    from entries
    where entry_kind = 0 and record_ordinal = snapshot_ordinal

    union all

    select
        source_uri,
        record_ordinal as event_ordinal,
        truncate_index,
        value_json as items_json,
        coalesce(value_length, 0) as item_count
    from entries
    where entry_kind = 2 and path_length = 1 and path_0 = 'requests'

    union all

    select
        source_uri,
        record_ordinal as event_ordinal,
        0 as truncate_index,
        case when entry_kind = 1 then value_json end as items_json,
        case when entry_kind = 1 then coalesce(value_length, 0) else 0 end as item_count
    from entries
    where entry_kind in (1, 3) and path_length = 1 and path_0 = 'requests'

),

segmented as (

    select
        *,
        sum(case when truncate_index is not null then 1 else 0 end) over (
            partition by source_uri
            order by event_ordinal
            rows between unbounded preceding and current row
        ) as segment_number
    from array_events

),

positioned as (

    select
        *,
        cast(
            max(truncate_index) over (partition by source_uri, segment_number)
            + sum(item_count) over (
                partition by source_uri, segment_number
                order by event_ordinal
                rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}
        ) as length_after
    from segmented

),

lengths as (

    select
        *,
        length_after - item_count as start_index,
        row_number() over (partition by source_uri order by event_ordinal desc) as recency
    from positioned

),

final_lengths as (

    select
        source_uri,
        length_after as final_length
    from lengths
    where recency = 1

),

writes as (

    select
        lengths.source_uri,
        lengths.event_ordinal as writer_ordinal,
        cast(lengths.start_index + item.element_index as {{ dbt.type_bigint() }}) as request_index,
        item.element_json as request_json
    from lengths
    cross join lateral {{ json_each_element('lengths.items_json', [], 'item') }}

    union all

    select
        source_uri,
        record_ordinal as writer_ordinal,
        {{ try_cast_bigint('path_1') }} as request_index,
        value_json as request_json
    from entries
    where entry_kind = 1 and path_length = 2 and path_0 = 'requests'

),

final_requests as (

    select
        writes.*,
        row_number() over (
            partition by writes.source_uri, writes.request_index
            order by writes.writer_ordinal desc
        ) as write_rank
    from writes
    inner join final_lengths
        on writes.source_uri = final_lengths.source_uri
    where writes.request_index < final_lengths.final_length

),

request_writers as (

    select
        final_requests.source_uri,
        final_requests.request_index,
        final_requests.writer_ordinal,
        final_requests.request_json,
        entries.raw_checksum,
        entries.record_locator,
        entries.source_file_version,
        entries.extracted_at,
        entries.run_id
    from final_requests
    inner join entries
        on
            final_requests.source_uri = entries.source_uri
            and final_requests.writer_ordinal = entries.record_ordinal
    where final_requests.write_rank = 1 and {{ json_type('final_requests.request_json') }} = 'object'

),

field_sets as (

    select
        request_writers.source_uri,
        request_writers.request_index,
        case
            when entries.path_length = 4 then entries.path_2 || '.' || entries.path_3
            else entries.path_2
        end as field_key,
        entries.value_json,
        entries.record_ordinal,
        entries.extracted_at,
        row_number() over (
            partition by
                request_writers.source_uri,
                request_writers.request_index,
                entries.path_2,
                entries.path_3
            order by entries.record_ordinal desc
        ) as set_rank
    from request_writers
    inner join entries
        on
            request_writers.source_uri = entries.source_uri
            and request_writers.request_index = {{ try_cast_bigint('entries.path_1') }}
            and request_writers.writer_ordinal < entries.record_ordinal
    where
        entries.entry_kind in (1, 3)
        and entries.path_0 = 'requests'
        and (
            entries.path_length = 3
            or (entries.path_length = 4 and entries.path_2 = 'message' and entries.path_3 = 'text')
        )

),

pivoted as (

    select
        source_uri,
        request_index,
        {%- for key, alias in fields %}
        max(case when field_key = '{{ key }}' then 1 else 0 end) as has_{{ alias }},
        max(case when field_key = '{{ key }}' then value_json end) as set_{{ alias }},
        {%- endfor %}
        max(case when field_key = 'message.text' then 1 else 0 end) as has_message_text,
        max(case when field_key = 'message.text' then value_json end) as set_message_text,
        max(record_ordinal) as last_set_ordinal,
        max(extracted_at) as last_set_extracted_at
    from field_sets
    where set_rank = 1
    group by 1, 2

),

merged as (

    select
        request_writers.*,
        {%- for key, alias in fields %}
        case
            when pivoted.has_{{ alias }} = 1 then pivoted.set_{{ alias }}
            else {{ json_value('request_writers.request_json', [key]) }}
        end as {{ alias }}_json,
        {%- endfor %}
        pivoted.has_message_text,
        pivoted.set_message_text,
        pivoted.last_set_ordinal
    from request_writers
    left join pivoted
        on
            request_writers.source_uri = pivoted.source_uri
            and request_writers.request_index = pivoted.request_index

),

typed as (

    select
        sessions.platform,
        sessions.native_session_id,
        merged.source_uri,
        merged.source_file_version,
        sessions.file_format,
        merged.request_index,
        {{ json_text('merged.request_id_json', []) }} as request_id,
        {{ json_text('merged.response_id_json', []) }} as response_id,
        case
            when merged.has_message_text = 1 then {{ json_text('merged.set_message_text', []) }}
            else {{ json_text('merged.message_json', ['text']) }}
        end as message_text,
        {{ json_text('merged.model_id_json', []) }} as model_id,
        {{ try_cast_bigint(json_text('merged.timestamp_json', [])) }} as timestamp_ms,
        {{ to_utc_timestamp(json_text('merged.timestamp_json', [])) }} as requested_at,
        {{ try_cast_bigint(json_text('merged.result_json', ['timings', 'firstProgress'])) }} as first_progress_ms,
        {{ try_cast_bigint(json_text('merged.result_json', ['timings', 'totalElapsed'])) }} as total_elapsed_ms,
        {{ try_cast_bigint(json_text('merged.elapsed_ms_json', [])) }} as elapsed_ms,
        {{ try_cast_bigint(json_text('merged.model_state_json', ['value'])) }} as model_state,
        {{ try_cast_bigint(json_text('merged.model_state_json', ['completedAt'])) }} as completed_at_ms,
        {{ json_text('merged.is_canceled_json', []) }} = 'true' as is_canceled_flag,
        {{ json_text('merged.result_json', ['errorDetails', 'message']) }} as error_message,
        {{ json_value('merged.result_json', ['errorDetails']) }} as error_details_json,
        {{ try_cast_bigint(json_text('merged.prompt_tokens_json', [])) }} as prompt_tokens,
        {{ try_cast_bigint(json_text('merged.completion_tokens_json', [])) }} as completion_tokens,
        {{ try_cast_double(json_text('merged.copilot_credits_json', [])) }} as copilot_credits,
        {{ json_text('merged.agent_json', ['id']) }} as agent_id,
        {{ json_text('merged.agent_json', ['extensionVersion']) }} as extension_version,
        {{ json_text('merged.mode_info_json', ['kind']) }} as chat_mode,
        {{ json_text('merged.slash_command_json', ['name']) }} as slash_command,
        {{ json_text('merged.vote_json', []) }} as vote,
        {{ json_text('merged.is_hidden_json', []) }} = 'true' as is_hidden,
        {{ json_text('merged.should_be_removed_on_send_json', []) }} is not null
            as should_be_removed_on_send,
        {{ json_array_length('merged.variable_data_json', ['variables']) }} as attached_variable_count,
        merged.result_json,
        {{ json_value('merged.request_json', ['response']) }} as writer_response_json,
        sessions.workspace_path,
        merged.writer_ordinal,
        coalesce(merged.last_set_ordinal, merged.writer_ordinal) as last_entry_ordinal,
        merged.raw_checksum,
        merged.record_locator,
        merged.extracted_at,
        merged.run_id
    from merged
    inner join sessions
        on merged.source_uri = sessions.source_uri

),

flagged as (

    select
        *,
        coalesce(is_canceled_flag, false)
        or coalesce(model_state = 2, false)
        or coalesce(lower(error_message) like 'cancel%', false) as is_canceled
    from typed

)

select
    *,
    not is_canceled and (error_message is not null or coalesce(model_state = 3, false)) as is_failed
from flagged
