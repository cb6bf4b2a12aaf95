{#- One row per landed ChatGPT conversation record (an element of an export's conversations.json,
    or a single-conversation JSON file): the conversation's own fields, typed. `conversation_json`
    is the conversation object (a browser capture's `raw_provider_payload` is unwrapped). Records
    that are not a JSON object with a `mapping` object keep their raw text and say why in
    `parse_error`; the other staging models skip them and they become dead letters. -#}

with

source as (

    select * from {{ ref('base_chatgpt__records') }}
    where record_kind = 'conversation'

),

guarded as (

    {{ select_json_guarded('source') }}

),

unwrapped as (

    select
        *,
        case
            when {{ json_type('record_json', ['mapping']) }} = 'object' then record_json
            when {{ json_type('record_json', ['raw_provider_payload', 'mapping']) }} = 'object'
                then {{ json_value('record_json', ['raw_provider_payload']) }}
        end as conversation_json
    from guarded

),

parsed as (

    select
        ---------- lineage
        raw_checksum,
        platform,
        source_uri,
        record_locator,
        record_ordinal,
        source_file_version,
        run_id,

        ---------- ids
        coalesce(
            {{ json_text('conversation_json', ['conversation_id']) }},
            {{ json_text('conversation_json', ['id']) }},
            source_uri || '#' || record_locator
        ) as native_session_id,
        {{ json_text('conversation_json', ['current_node']) }} as current_node,
        {{ json_text('conversation_json', ['gizmo_id']) }} as gizmo_id,

        ---------- strings
        {{ json_text('conversation_json', ['title']) }} as title,
        {{ json_text('conversation_json', ['default_model_slug']) }} as default_model_slug,
        {{ json_text('conversation_json', ['gizmo_type']) }} as gizmo_type,
        {{ json_text('conversation_json', ['conversation_origin']) }} as conversation_origin,

        ---------- booleans
        is_valid_json,
        coalesce({{ json_text('conversation_json', ['is_archived']) }} = 'true', false) as is_archived,
        conversation_json is not null
        and conversation_json != record_json as is_unwrapped_capture,

        ---------- timestamps
        {{ to_utc_timestamp(json_text('conversation_json', ['create_time'])) }} as created_at,
        {{ to_utc_timestamp(json_text('conversation_json', ['update_time'])) }} as updated_at,
        extracted_at,

        ---------- the record
        conversation_json,
        case
            when not is_valid_json then 'invalid JSON: the record does not parse'
            when json_root_type != 'object'
                then 'not a ChatGPT conversation: the JSON value is not an object (' || json_root_type || ')'
            when conversation_json is null
                then 'not a ChatGPT conversation: the object has no "mapping" object'
        end as parse_error

    from unwrapped

)

select * from parsed
