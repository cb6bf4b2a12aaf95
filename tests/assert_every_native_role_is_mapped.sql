{#- Every (platform, native_role) of a message must have a row in the role_mapping seed: an unknown
    role (a new platform, or a new line type Claude Code starts writing) fails here instead of
    becoming a message with a null role. Returns the messages whose role is not mapped. -#}

with

messages as (

    select * from {{ ref('int_messages_deduplicated') }}

),

roles as (

    select * from {{ ref('role_mapping') }}

),

unmapped as (

    select
        messages.message_id,
        messages.platform,
        messages.native_role,
        messages.source_uri,
        messages.record_locator
    from messages
    left join roles
        on
            messages.platform = roles.platform
            and messages.native_role = roles.native_role
    where roles.platform is null

)

select * from unmapped
