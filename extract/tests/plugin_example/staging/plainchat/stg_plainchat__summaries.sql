{#- PlainChat writes no titles or summaries: an empty relation with the unified columns. -#}

select
    cast(null as {{ dbt.type_string() }}) as platform,
    cast(null as {{ dbt.type_string() }}) as native_session_id,
    cast(null as {{ dbt.type_string() }}) as summary_type,
    cast(null as {{ dbt.type_string() }}) as summary_text,
    cast(null as {{ dbt.type_string() }}) as covers_native_message_id,
    cast(null as timestamp with time zone) as occurred_at,
    cast(null as timestamp with time zone) as extracted_at,
    cast(null as {{ dbt.type_string() }}) as source_uri,
    cast(null as {{ dbt.type_bigint() }}) as record_ordinal
where false
