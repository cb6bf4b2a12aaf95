{#- One row per Copilot Chat session with a title: the replayed `customTitle` (the snapshot's, or
    the last kind-1 set on `["customTitle"]`). -#}

with

sessions as (

    select * from {{ ref('stg_copilot_chat__sessions') }}
    where not is_superseded and title is not null

)

select
    platform,
    native_session_id,
    'title' as summary_type,
    title as summary_text,
    cast(null as {{ dbt.type_string() }}) as covers_native_message_id,
    coalesce(last_message_at, created_at) as occurred_at,
    extracted_at,
    source_uri,
    title_record_ordinal as record_ordinal
from sessions
