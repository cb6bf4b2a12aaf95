{#- PlainChat lines that cannot become a message, with the reason. -#}

select
    platform,
    source_uri,
    record_locator,
    record_kind,
    parse_error as reason,
    raw_checksum,
    extracted_at,
    run_id
from {{ ref('stg_plainchat__lines') }}
where parse_error is not null
