{#- One row per kept Chat Completions call, placed in its conversation. The API has no
    conversation id: every request carries the whole history. A call whose request messages begin
    with an earlier call's request messages followed by that call's answer continues that call:
    - `parent_call_key` / `parent_choice_index`: the answered call whose history + answer is the
      LONGEST prefix of this call's messages (the previous turn); `inherited_message_count`
      messages of this request are that turn's history and answer, the rest are new;
    - `root_call_key`: the answered call whose history + answer is the SHORTEST such prefix: the
      first turn of the conversation. Prefixes nest (a turn's history holds every earlier turn),
      so the shortest match is the root without walking the chain (no recursion).
    Matching is by prefix_hash equality (stg_openai_api__call_messages), only between calls with
    the same explicit conversation key (or both without one), and never to a call that happened
    later. Ties (the same history and answer sent twice) go to the earliest call, then the
    smallest call_key, the same rule for parent and root.
    A call with an explicit conversation key that extends no earlier call (the application sent
    a shortened history) follows the latest earlier call with the same key: its first message
    follows that call's answer and none of its messages are inherited.
    `parent_answer_native_message_id` names the answer a call's first new message follows.
    `native_session_id`: the explicit conversation key (`metadata.conversation_id` /
    `session_id` / `thread_id` of the request or the log line) when the application set one,
    else the root call's key, else the call's own (a first turn). -#}

-- a table, not a view: the conversation rebuild reads it several times, and every reader of a
-- view would parse the raw calls again
{{ config(materialized='table') }}

with

calls as (

    select * from {{ ref('stg_openai_api__calls') }}
    where
        copy_rank = 1
        and unusable_reason is null

),

call_messages as (

    select * from {{ ref('stg_openai_api__call_messages') }}

),

answers as (

    select
        call_messages.call_key,
        call_messages.choice_index,
        call_messages.message_index,
        call_messages.prefix_hash,
        calls.call_at,
        calls.conversation_key
    from call_messages
    inner join calls
        on call_messages.call_key = calls.call_key
    where
        call_messages.is_answer
        and call_messages.prefix_hash is not null

),

candidates as (

    select
        child.call_key,
        answers.call_key as parent_call_key,
        answers.choice_index as parent_choice_index,
        answers.message_index + 1 as inherited_message_count,
        answers.call_at as parent_call_at
    from call_messages as child_message
    inner join answers
        on
            child_message.prefix_hash = answers.prefix_hash
            and child_message.message_index = answers.message_index
    inner join calls as child
        on child_message.call_key = child.call_key
    where
        not child_message.is_answer
        and child_message.call_key != answers.call_key
        and coalesce(child.conversation_key, '') = coalesce(answers.conversation_key, '')
        and (
            child.call_at is null
            or answers.call_at is null
            or answers.call_at <= child.call_at
        )

),

ranked as (

    select
        *,
        row_number() over (
            partition by call_key
            order by
                inherited_message_count desc,
                parent_call_at asc nulls last,
                parent_call_key asc,
                parent_choice_index asc
        ) as parent_rank,
        row_number() over (
            partition by call_key
            order by
                inherited_message_count asc,
                parent_call_at asc nulls last,
                parent_call_key asc,
                parent_choice_index asc
        ) as root_rank
    from candidates

),

parents as (

    select * from ranked
    where parent_rank = 1

),

roots as (

    select * from ranked
    where root_rank = 1

),

-- the latest earlier answered call with the same explicit conversation key
keyed_predecessors as (

    select
        call_key,
        parent_call_key,
        parent_answer_native_message_id
    from (
        select
            child.call_key,
            previous.call_key as parent_call_key,
            case
                when previous.has_completion then previous.call_key || '/choices[0]'
                else previous.call_key || '/error'
            end as parent_answer_native_message_id,
            row_number() over (
                partition by child.call_key
                order by previous.call_at desc, previous.call_key desc
            ) as recency_rank
        from calls as child
        inner join calls as previous
            on
                child.conversation_key = previous.conversation_key
                and child.call_at > previous.call_at
        where previous.has_completion or previous.has_error
    ) as ranked_predecessors
    where recency_rank = 1

),

final as (

    select
        calls.call_key,
        coalesce(parents.parent_call_key, keyed_predecessors.parent_call_key) as parent_call_key,
        parents.parent_choice_index,
        case
            when parents.parent_call_key is not null
                then
                    parents.parent_call_key || '/choices['
                    || cast(parents.parent_choice_index as {{ dbt.type_string() }}) || ']'
            else keyed_predecessors.parent_answer_native_message_id
        end as parent_answer_native_message_id,
        coalesce(parents.inherited_message_count, 0) as inherited_message_count,
        coalesce(roots.parent_call_key, calls.call_key) as root_call_key,
        coalesce(
            'conversation:' || calls.conversation_key,
            roots.parent_call_key,
            calls.call_key
        ) as native_session_id,
        calls.conversation_key,
        calls.call_at,
        calls.call_at_source
    from calls
    left join parents
        on calls.call_key = parents.call_key
    left join roots
        on calls.call_key = roots.call_key
    left join keyed_predecessors
        on
            calls.call_key = keyed_predecessors.call_key
            and parents.call_key is null

)

select * from final
