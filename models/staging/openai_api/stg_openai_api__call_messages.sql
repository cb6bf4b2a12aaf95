{#- One row per message a Chat Completions call holds: every element of the request's `messages`
    (the whole history the client sent, `message_index` 0..n-1), then the answer: each choice of
    the chat.completion (`choice_index`, at position n), or one error answer when the call failed.
    `native_message_id` names each: `<call_key>/messages[<i>]`, `<call_key>/choices[<i>]`,
    `<call_key>/error`. Only the kept copy of each call (copy_rank 1 of stg_openai_api__calls) and only usable calls.

    Each message gets a fingerprint (md5 of its role, its content's text, its tool call ids and the
    tool call it answers) and `prefix_hash`: SHA-256 of the fingerprints of the history up to and
    including it. An answer's prefix_hash hashes the request's fingerprints followed by its own,
    exactly what a later request that sent this history plus this answer has at position n: that
    equality is how stg_openai_api__call_threads rebuilds conversations (no recursion). An answer
    whose request is unknown (a batch output line without its input) has no prefix_hash. -#}

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

request_messages as (

    select
        calls.call_key,
        message.element_index as message_index,
        cast(null as {{ dbt.type_bigint() }}) as choice_index,
        false as is_answer,
        false as is_error,
        message.element_json as message_json,
        cast(null as {{ dbt.type_string() }}) as finish_reason,
        cast(null as {{ dbt.type_string() }}) as error_text
    from calls
    cross join lateral {{ json_each_element('calls.request_json', ['messages'], 'message') }}

),

choices as (

    select
        calls.call_key,
        coalesce(calls.request_message_count, 0) as message_index,
        choice.element_index as choice_index,
        true as is_answer,
        false as is_error,
        case
            when {{ json_type('choice.element_json', ['message']) }} = 'object'
                then {{ json_value('choice.element_json', ['message']) }}
            else '{"role": "assistant"}'
        end as message_json,
        {{ json_text('choice.element_json', ['finish_reason']) }} as finish_reason,
        cast(null as {{ dbt.type_string() }}) as error_text
    from calls
    cross join lateral {{ json_each_element('calls.completion_json', ['choices'], 'choice') }}

),

error_answers as (

    select
        call_key,
        coalesce(request_message_count, 0) as message_index,
        cast(null as {{ dbt.type_bigint() }}) as choice_index,
        true as is_answer,
        true as is_error,
        '{"role": "assistant"}' as message_json,
        cast(null as {{ dbt.type_string() }}) as finish_reason,
        coalesce(
            {{ json_text('error_json', ['message']) }},
            {{ json_text('error_json', ['code']) }},
            error_json
        ) as error_text
    from calls
    where
        has_error
        and not has_completion

),

all_messages as (

    select * from request_messages
    union all
    select * from choices
    union all
    select * from error_answers

),

parsed as (

    select
        *,
        {{ json_text('message_json', ['role']) }} as role,
        {{ json_text('message_json', ['name']) }} as author_name,
        {{ json_text('message_json', ['tool_call_id']) }} as tool_call_id,
        {{ json_text('message_json', ['refusal']) }} as refusal,
        {{ json_type('message_json', ['content']) }} as content_json_type,
        case
            when {{ json_type('message_json', ['content']) }} = 'string'
                then {{ json_text('message_json', ['content']) }}
            when {{ json_type('message_json', ['content']) }} = 'array'
                then {{ dbt.concat([
                    "coalesce(" ~ json_array_join_key('message_json', ['content'], 'text', "''") ~ ", '')",
                    "coalesce(" ~ json_array_join_key('message_json', ['content'], 'image_url', "''") ~ ", '')"
                ]) }}
        end as content_signature,
        {{ json_array_join_key('message_json', ['tool_calls'], 'id', "','") }} as tool_call_ids,
        {{ json_text('message_json', ['function_call', 'name']) }} as function_call_name
    from all_messages

),

fingerprinted as (

    select
        *,
        {{ dbt.hash(dbt.concat([
            "coalesce(role, '')", "'|'",
            dbt.hash("coalesce(content_signature, '')"), "'|'",
            "coalesce(tool_call_ids, '')", "'|'",
            "coalesce(tool_call_id, '')", "'|'",
            "coalesce(function_call_name, '')"
        ])) }} as fingerprint
    from parsed

),

request_prefixes as (

    select
        *,
        {{ openai_api_running_concat('fingerprint', 'call_key', 'message_index') }} as running_fingerprints
    from fingerprinted
    where not is_answer

),

request_histories as (

    select
        call_key,
        running_fingerprints as history_fingerprints
    from (
        select
            call_key,
            running_fingerprints,
            row_number() over (partition by call_key order by message_index desc) as from_last
        from request_prefixes
    ) as ranked_prefixes
    where from_last = 1

),

answers as (

    select
        fingerprinted.*,
        case
            when request_histories.history_fingerprints is not null and not fingerprinted.is_error
                then {{ dbt.concat(['request_histories.history_fingerprints', 'fingerprinted.fingerprint']) }}
        end as running_fingerprints
    from fingerprinted
    left join request_histories
        on fingerprinted.call_key = request_histories.call_key
    where fingerprinted.is_answer

),

prefixed as (

    select
        call_key,
        message_index,
        choice_index,
        is_answer,
        is_error,
        role,
        author_name,
        tool_call_id,
        refusal,
        finish_reason,
        error_text,
        content_json_type,
        message_json,
        fingerprint,
        case
            when running_fingerprints is not null then {{ sha256_hex('running_fingerprints') }}
        end as prefix_hash
    from request_prefixes

    union all

    select
        call_key,
        message_index,
        choice_index,
        is_answer,
        is_error,
        role,
        author_name,
        tool_call_id,
        refusal,
        finish_reason,
        error_text,
        content_json_type,
        message_json,
        fingerprint,
        case
            when running_fingerprints is not null then {{ sha256_hex('running_fingerprints') }}
        end as prefix_hash
    from answers

),

final as (

    select
        case
            when is_error then call_key || '/error'
            when is_answer
                then call_key || '/choices[' || cast(choice_index as {{ dbt.type_string() }}) || ']'
            else call_key || '/messages[' || cast(message_index as {{ dbt.type_string() }}) || ']'
        end as native_message_id,
        *
    from prefixed

)

select * from final
