{#- Every landed copy of every message, ranked: a message (platform + the platform's own id)
    landed more than once (a resumed Claude Code session copies earlier lines, same uuid, into
    its new file; the same file reached by two paths or landed again after a crash; two exports
    of one ChatGPT history) keeps one copy, copy_rank 1: the newest version of the file that first
    held it (the file whose messages start, then end, earliest). The other copies are recorded in
    the duplicates mart with the level that folded them. -#}

{{ incremental_by_conversation() }}

with

messages as (

    select * from {{ ref('int_messages_unioned') }}
    where {{ changed_conversations_filter() }}

),

-- over whole files: a file (a ChatGPT export) can hold other conversations too
file_spans as (

    select
        source_uri,
        min(occurred_at) as file_first_at,
        max(occurred_at) as file_last_at
    from {{ ref('int_messages_unioned') }}
    {%- if is_incremental() %}
    where source_uri in (select changed_files.source_uri from messages as changed_files)
    {%- endif %}
    group by 1

),

ranked as (

    select
        messages.*,
        row_number() over copies as copy_rank,
        first_value(messages.raw_checksum) over copies as kept_raw_checksum,
        count(*) over (partition by messages.message_id) as copies_landed
    from messages
    inner join file_spans
        on messages.source_uri = file_spans.source_uri
    window copies as (
        partition by messages.message_id
        order by
            file_spans.file_first_at asc nulls last,
            file_spans.file_last_at asc nulls last,
            messages.source_uri asc,
            messages.source_file_version desc,
            messages.record_ordinal asc,
            messages.extracted_at asc
    )

)

select * from ranked
