{#- Every landed ChatGPT raw record (one per conversation object) as the lake holds it: the one
    place that reads the raw source, so every staging model (and its unit tests) builds on a
    relation the warehouse knows. -#}

with

source as (

    select * from {{ source('raw', 'chatgpt') }}

)

select
    platform,
    source_uri,
    record_locator,
    record_ordinal,
    record_kind,
    raw_text,
    raw_bytes,
    raw_checksum,
    source_version,
    source_file_version,
    source_mtime,
    source_size,
    extracted_at,
    run_id,
    extractor_version
from source
