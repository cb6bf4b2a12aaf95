{#- Every landed PlainChat record: the one model that reads the raw source. -#}

{{ config(materialized=base_materialization()) }}

with

source as (

    select * from {{ source('raw', 'plainchat') }}
    -- only the scopes this build recomputes (macros/incremental.sql)
    where {{ lake_scope_filter('plainchat') }}

)

select
    {{ raw_record_columns() }}
from source
