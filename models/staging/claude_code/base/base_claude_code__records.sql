{#- Every landed Claude Code raw record, as the lake holds it: the one place that reads the raw
    source, so every staging model (and its unit tests) builds on a relation the warehouse knows. -#}

{{ config(materialized=base_materialization()) }}

with

source as (

    select * from {{ source('raw', 'claude_code') }}
    -- only the scopes this build recomputes (macros/incremental.sql)
    where {{ lake_scope_filter('claude_code') }}

)

select
    {{ raw_record_columns() }}
from source
