{#- ChatGPT export records that cannot become a conversation, with the reason (parse_error of
    stg_chatgpt__conversations: not JSON, not an object, no mapping). -#}

with

conversations as (

    select * from {{ ref('stg_chatgpt__conversations') }}
    where parse_error is not null

)

select
    platform,
    source_uri,
    record_locator,
    'conversation' as record_kind,
    parse_error as reason,
    raw_checksum,
    extracted_at,
    run_id
from conversations
