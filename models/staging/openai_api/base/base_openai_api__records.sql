{#- Every landed OpenAI / Azure OpenAI API log record (one per JSONL line) as the lake holds it:
    the one place that reads the raw source, so every staging model (and its unit tests) builds
    on a relation the warehouse knows. -#}

{{ config(materialized=base_materialization()) }}

with

source as (

    select * from {{ source('raw', 'openai_api') }}
    -- only the scopes this build recomputes (macros/incremental.sql)
    where {{ lake_scope_filter('openai_api') }}

)

select
    {{ raw_record_columns() }}
from source
