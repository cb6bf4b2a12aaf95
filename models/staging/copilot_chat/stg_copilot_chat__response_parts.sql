{#- One row per response part of a Copilot Chat request in the replayed final state. The response
    array of request n is replayed like the requests array: its base is the `response` of the
    request's writer entry (the object that last wrote position n), then, after that entry,
    kind-1 sets / kind-3 deletes of `["requests", n, "response"]` (reset the array) and kind-2
    pushes to it (truncate to `i` when given, then append). The final part at position p
    (p < final length) is the last event that wrote p. -#}

with

entries as (

    select * from {{ ref('stg_copilot_chat__mutations') }}
    where is_replayed

),

requests as (

    select * from {{ ref('stg_copilot_chat__requests') }}

),

array_events as (

    select
        source_uri,
        request_index,
        writer_ordinal as event_ordinal,
        0 as truncate_index,
        writer_response_json as items_json,
        coalesce({{ json_array_length('writer_response_json') }}, 0) as item_count
    from requests

    union all

    select
        requests.source_uri,
        requests.request_index,
        entries.record_ordinal as event_ordinal,
        case when entries.entry_kind = 2 then entries.truncate_index else 0 end as truncate_index,
        case when entries.entry_kind in (1, 2) then entries.value_json end as items_json,
        case when entries.entry_kind in (1, 2) then coalesce(entries.value_length, 0) else 0 end
            as item_count
    from requests
    inner join entries
        on
            requests.source_uri = entries.source_uri
            and requests.request_index = {{ try_cast_bigint('entries.path_1') }}
            and requests.writer_ordinal < entries.record_ordinal
    where
        entries.entry_kind in (1, 2, 3)
        and entries.path_length = 3
        and entries.path_0 = 'requests'
        and entries.path_2 = 'response'

),

segmented as (

    select
        *,
        sum(case when truncate_index is not null then 1 else 0 end) over (
            partition by source_uri, request_index
            order by event_ordinal
            rows between unbounded preceding and current row
        ) as segment_number
    from array_events

),

positioned as (

    select
        *,
        cast(
            max(truncate_index) over (partition by source_uri, request_index, segment_number)
            + sum(item_count) over (
                partition by source_uri, request_index, segment_number
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
        row_number() over (
            partition by source_uri, request_index
            order by event_ordinal desc
        ) as recency
    from positioned

),

final_lengths as (

    select
        source_uri,
        request_index,
        length_after as final_length
    from lengths
    where recency = 1

),

writes as (

    select
        lengths.source_uri,
        lengths.request_index,
        lengths.event_ordinal as part_ordinal,
        cast(lengths.start_index + part.element_index as {{ dbt.type_bigint() }}) as part_index,
        part.element_json as part_json
    from lengths
    cross join lateral {{ json_each_element('lengths.items_json', [], 'part') }}

),

ranked as (

    select
        writes.*,
        row_number() over (
            partition by writes.source_uri, writes.request_index, writes.part_index
            order by writes.part_ordinal desc
        ) as write_rank
    from writes
    inner join final_lengths
        on
            writes.source_uri = final_lengths.source_uri
            and writes.request_index = final_lengths.request_index
    where writes.part_index < final_lengths.final_length

)

select
    requests.platform,
    requests.native_session_id,
    requests.request_id,
    ranked.source_uri,
    ranked.request_index,
    ranked.part_index,
    ranked.part_ordinal,
    {{ json_type('ranked.part_json') }} as part_json_type,
    case
        when {{ json_type('ranked.part_json') }} = 'object' then {{ json_text('ranked.part_json', ['kind']) }}
    end as part_kind,
    ranked.part_json,
    requests.raw_checksum,
    requests.record_locator,
    requests.run_id
from ranked
inner join requests
    on
        ranked.source_uri = requests.source_uri
        and ranked.request_index = requests.request_index
where ranked.write_rank = 1
