{#- One row per secret found in the text of the unified schema: a message's text (messages.
    content_text), a tool call's input (tool_calls.tool_input) or its output
    (tool_calls.tool_output), for every pattern of the seed secret_patterns and every match of it.
    Where and what kind, never the secret: its position and length in that column, and a short
    fingerprint so that repeats of one secret can be counted. The scan itself is incremental
    (int_secret_findings_scanned); this keeps the findings of the conversations deduplication
    lists, the ones messages and tool_calls hold. -#}

-- after the scan's record of its patterns, so that a build of +secret_findings records them
-- depends_on: {{ ref('int_secret_patterns_scanned') }}

with

findings as (

    select * from {{ ref('int_secret_findings_scanned') }}

),

listed as (

    select * from {{ ref('int_conversations_deduplicated') }}
    where is_listed

),

final as (

    select
        findings.finding_id,
        cast(listed.platform as {{ dbt.type_string() }}) as platform,
        findings.conversation_id,
        findings.message_id,
        findings.tool_call_id,
        findings.text_location as location, -- noqa: RF04
        findings.kind,
        findings.match_position as position, -- noqa: RF04
        findings.match_length,
        findings.fingerprint,
        {{ schema_version() }} as schema_version
    from findings
    inner join listed
        on findings.conversation_id = listed.conversation_id

)

select * from final
