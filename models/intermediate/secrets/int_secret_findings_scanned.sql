{#- One row per secret found in a text of the unified schema, for every conversation, listed or
    not (the secret_findings mart keeps the listed ones): a kept message's text
    (int_message_contents_aggregated.content_text, which messages.content_text is), a tool call's
    input or output (int_tool_calls_paired), for every pattern of the seed secret_patterns and
    every match of it. Incremental: a re-run scans only the changed conversations' texts, unless
    the patterns changed (secret_scan_filter). Where and what kind, never the secret: its
    position and length in that text, and a short fingerprint so that repeats of one secret can
    be counted. -#}

{{ incremental_by_conversation(scope='secret_scan') }}

with

patterns as (

    select * from {{ ref('secret_patterns') }}

),

contents as (

    select * from {{ ref('int_message_contents_aggregated') }}
    where {{ secret_scan_filter() }}

),

tool_calls as (

    select * from {{ ref('int_tool_calls_paired') }}
    where {{ secret_scan_filter() }}

),

texts as (

    select
        conversation_id,
        message_id,
        cast(null as {{ dbt.type_string() }}) as tool_call_id,
        'message_text' as text_location,
        content_text as searched_text
    from contents
    where content_text is not null

    union all

    select
        conversation_id,
        message_id,
        tool_call_id,
        'tool_input' as text_location,
        cast(tool_input as {{ dbt.type_string() }}) as searched_text
    from tool_calls
    where tool_input is not null

    union all

    select
        conversation_id,
        result_message_id as message_id,
        tool_call_id,
        'tool_output' as text_location,
        cast(tool_output as {{ dbt.type_string() }}) as searched_text
    from tool_calls
    where tool_output is not null

),

-- The patterns are data (rows of the seed), and DuckDB compiles a regular expression that is not
-- a constant again for every row it tests. So the texts are first joined into a few large chunks
-- (the texts of a bucket, joined by spaces: a match in a text is a match in its chunk) and tried
-- with all the patterns at once, then each pattern on the chunks that matched, and only then on
-- the texts of those chunks one by one.
bucketed as (

    select
        *,
        {%- set text_key = ["text_location", "'|'", "message_id", "'|'", "coalesce(tool_call_id, '')"] %}
        substr({{ dbt.hash(dbt.concat(text_key)) }}, 1, 2) as bucket
    from texts

),

chunks as (

    select
        bucket,
        {{ dbt.listagg('searched_text', "' '") }} as chunk_text
    from bucketed
    group by 1

),

any_pattern as (

    select {{ dbt.listagg(dbt.concat(["'(?:'", "pattern", "')'"]), "'|'") }} as pattern
    from patterns

),

hit_chunks as (

    select chunks.*
    from chunks
    cross join any_pattern
    where {{ secret_found('chunks.chunk_text', 'any_pattern.pattern') }}

),

chunk_candidates as (

    select
        hit_chunks.bucket,
        patterns.kind,
        patterns.pattern
    from hit_chunks
    cross join patterns
    where {{ secret_found('hit_chunks.chunk_text', 'patterns.pattern') }}

),

candidates as (

    select
        bucketed.*,
        chunk_candidates.kind,
        chunk_candidates.pattern
    from bucketed
    inner join chunk_candidates
        on bucketed.bucket = chunk_candidates.bucket
    where {{ secret_found('bucketed.searched_text', 'chunk_candidates.pattern') }}

),

matches as (

    select
        candidates.conversation_id,
        candidates.message_id,
        candidates.tool_call_id,
        candidates.text_location,
        candidates.kind,
        found.match_position,
        found.match_length,
        {{ sha256_hex('found.match_text') }} as match_sha256
    from candidates
    cross join lateral {{ secret_matches('candidates.searched_text', 'candidates.pattern', 'found') }}

),

-- the id does not use the position: a tool input is JSON text whose object keys DuckDB keeps in
-- the platform's order and PostgreSQL sorts (jsonb), so the same secret can sit at another offset;
-- the n-th occurrence of one secret in one text is the same finding on every adapter
numbered as (

    select
        *,
        row_number() over (
            partition by text_location, message_id, tool_call_id, kind, match_sha256
            order by match_position
        ) as occurrence
    from matches

),

final as (

    select
        cast(
            {{ deterministic_id(
                ['text_location', 'message_id', 'tool_call_id', 'kind', 'match_sha256', 'occurrence']
            ) }}
            as {{ dbt.type_string() }}
        ) as finding_id,
        cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(message_id as {{ dbt.type_string() }}) as message_id,
        cast(tool_call_id as {{ dbt.type_string() }}) as tool_call_id,
        cast(text_location as {{ dbt.type_string() }}) as text_location,
        cast(kind as {{ dbt.type_string() }}) as kind,
        cast(match_position as {{ dbt.type_int() }}) as match_position,
        cast(match_length as {{ dbt.type_int() }}) as match_length,
        cast(substr(match_sha256, 1, 8) as {{ dbt.type_string() }}) as fingerprint
    from numbered

)

select * from final
