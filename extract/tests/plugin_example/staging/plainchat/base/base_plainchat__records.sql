{#- Every landed PlainChat record: the one model that reads the raw source. -#}

with

source as (

    select * from {{ source('raw', 'plainchat') }}

)

select
    {{ raw_record_columns() }}
from source
