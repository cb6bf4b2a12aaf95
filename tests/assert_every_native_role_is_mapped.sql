{#- Every (platform, native_role) of a message must have a row in its platform's role_mapping seed
    (seeds/platforms/<platform>/<platform>__role_mapping.csv, int_role_mappings_unioned): an unknown
    role (a new platform, or a new line type Claude Code starts writing) fails here instead of
    becoming a message with a null role. Returns the messages whose role is not mapped. -#}

with

messages as (

    select * from {{ ref('int_messages_deduplicated') }}

),

unmapped as (

    select
        message_id,
        platform,
        native_role,
        source_uri,
        record_locator
    from messages
    where role is null

)

select * from unmapped
