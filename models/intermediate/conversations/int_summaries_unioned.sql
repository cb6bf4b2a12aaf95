{#- Every platform's summaries (session summaries, titles, compaction summaries), one row per
    distinct summary: the same summary copied into several files (resumed sessions) is one row,
    the copy landed first. In an incremental run the copies of the changed scopes compete with the
    copy an unchanged scope already holds here: that one was landed first, so it stays. -#}

{{ incremental_by_lake_scope() }}

with

unioned as (

    {{ union_platforms('summaries', [
        'platform',
        'native_session_id',
        'summary_type',
        'summary_text',
        'covers_native_message_id',
        'occurred_at',
        'extracted_at',
        'source_uri',
        'record_ordinal'
    ]) }}

),

identified as (

    select
        {{ deterministic_id([
            'platform', 'native_session_id', 'summary_type', 'covers_native_message_id', 'summary_text'
        ]) }} as summary_id,
        {{ deterministic_id(['platform', 'native_session_id']) }} as conversation_id,
        case
            when covers_native_message_id is not null
                then {{ deterministic_id(['platform', 'covers_native_message_id']) }}
        end as covers_message_id,
        *
    from unioned

),

ranked as (

    select
        *,
        row_number() over (
            partition by summary_id
            order by extracted_at, source_uri, record_ordinal
        ) as copy_rank
    from identified

)

select * from ranked
where
    copy_rank = 1  -- noqa: LT02
    {%- if is_incremental() %}
    and summary_id not in (
        select held.summary_id
        from {{ this }} as held
        where not ({{ replace_where_predicate() }})
    )
    {%- endif %}
