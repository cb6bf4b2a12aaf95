{#- The pipeline's own records (the extract runs, the loads, dbt's run results) as the
    pipeline models read them. -#}

{#- The loads into this warehouse (`python -m extract load`, raw._load_runs). Only PostgreSQL has
    a load step; DuckDB and Spark read the lake in place, so elsewhere the relation is empty (the
    same columns, no rows). -#}
{% macro pipeline_load_runs() -%}
    {{ return(adapter.dispatch('pipeline_load_runs', 'ai_conversations')()) }}
{%- endmacro %}
{% macro default__pipeline_load_runs(timestamp_type='timestamp with time zone') -%}
    select
        cast(null as {{ dbt.type_string() }}) as load_id,
        cast(null as {{ timestamp_type }}) as started_at,
        cast(null as {{ timestamp_type }}) as finished_at,
        cast(null as {{ dbt.type_string() }}) as lake_uri,
        cast(null as {{ dbt.type_bigint() }}) as files_seen,
        cast(null as {{ dbt.type_bigint() }}) as files_loaded,
        cast(null as {{ dbt.type_bigint() }}) as files_skipped,
        cast(null as {{ dbt.type_bigint() }}) as files_failed,
        cast(null as {{ dbt.type_bigint() }}) as rows_loaded,
        cast(null as {{ dbt.type_bigint() }}) as bytes_loaded,
        cast(null as {{ dbt.type_bigint() }}) as retries,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(null as {{ dbt.type_string() }}) as errors_json
    from (select 1 as one) as no_load_step
    where 1 = 0
{%- endmacro %}
{% macro spark__pipeline_load_runs() -%}
    {{ default__pipeline_load_runs(timestamp_type='timestamp') }}
{%- endmacro %}
{% macro postgres__pipeline_load_runs() -%}
    select
        load_id,
        started_at,
        finished_at,
        lake_uri,
        files_seen,
        files_loaded,
        files_skipped,
        files_failed,
        rows_loaded,
        bytes_loaded,
        retries,
        status,
        errors_json
    from {{ source('raw', 'load_runs') }}
{%- endmacro %}


{#- The unique ids of the deduplication nodes (the models of models/intermediate/deduplication and
    the duplicates mart), read from the project's graph: the `deduplicate` operation of
    audit_log. A quoted, comma-separated SQL list. -#}
{% macro deduplication_node_ids() -%}
    {%- set ids = [] -%}
    {%- for node in (graph.get('nodes') or {}).values() if node.resource_type == 'model' -%}
        {%- if node.original_file_path.startswith('models/intermediate/deduplication/')
            or node.name == 'duplicates' -%}
            {%- do ids.append("'" ~ node.unique_id ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return((ids | sort | join(', ')) if ids else "''") }}
{%- endmacro %}
