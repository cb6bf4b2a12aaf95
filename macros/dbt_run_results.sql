{#- dbt's own run results in the warehouse, for the pipeline_metrics mart (the transform stage).

    on-run-start calls create_dbt_run_results(): the table <target schema>.dbt_run_results, if it is
    not there yet, so that pipeline_metrics (a view over it) can be built in the same invocation.
    on-run-end calls record_dbt_run_results(results): one row per node the invocation ran (model,
    seed, test, unit test, hook), with its status and timings. Plain SQL that DuckDB and PostgreSQL
    both take; dispatched so that another adapter can override it. -#}

{% macro dbt_run_results_relation() -%}
    {{ return(target.schema ~ '.dbt_run_results') }}
{%- endmacro %}


{% macro create_dbt_run_results() -%}
    {{ return(adapter.dispatch('create_dbt_run_results', 'ai_conversations')()) }}
{%- endmacro %}
{% macro default__create_dbt_run_results() -%}
    create schema if not exists {{ target.schema }};
    create table if not exists {{ dbt_run_results_relation() }} (
        invocation_id varchar not null,
        command varchar,
        invocation_started_at timestamp with time zone,
        unique_id varchar not null,
        resource_type varchar,
        status varchar,
        thread_id varchar,
        started_at timestamp with time zone,
        completed_at timestamp with time zone,
        execution_seconds double precision,
        rows_affected bigint,
        failures bigint,
        recorded_at timestamp with time zone
    )
{%- endmacro %}
{% macro spark__create_dbt_run_results() -%}
    {#- Spark takes one statement at a time: the schema first, then the table (Parquet files) -#}
    {%- if execute -%}{%- do run_query('create schema if not exists ' ~ target.schema) -%}{%- endif %}
    create table if not exists {{ dbt_run_results_relation() }} (
        invocation_id string,
        command string,
        invocation_started_at timestamp,
        unique_id string,
        resource_type string,
        status string,
        thread_id string,
        started_at timestamp,
        completed_at timestamp,
        execution_seconds double,
        rows_affected bigint,
        failures bigint,
        recorded_at timestamp
    ) using parquet
{%- endmacro %}


{% macro _run_results_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is number -%}{{ value }}
    {%- else -%}'{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}


{% macro _run_results_time(value) -%}
    {%- set type_name = 'timestamp' if target.type == 'spark' else 'timestamp with time zone' -%}
    {%- if value is none -%}cast(null as {{ type_name }})
    {%- else -%}cast('{{ value.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00:00' as {{ type_name }})
    {%- endif -%}
{%- endmacro %}


{% macro record_dbt_run_results(results) -%}
    {{ return(adapter.dispatch('record_dbt_run_results', 'ai_conversations')(results)) }}
{%- endmacro %}
{% macro default__record_dbt_run_results(results) -%}
    {%- if not execute or not results -%}
    select 1 as nothing_to_record
    {%- else -%}
    insert into {{ dbt_run_results_relation() }} (
        invocation_id, command, invocation_started_at, unique_id, resource_type, status,
        thread_id, started_at, completed_at, execution_seconds, rows_affected, failures,
        recorded_at
    )
    values
    {%- for result in results %}
        {%- set timings = result.timing or [] %}
        {%- set response = result.adapter_response or {} %}
        (
            {{ _run_results_literal(invocation_id) }},
            {{ _run_results_literal(flags.WHICH) }},
            {{ _run_results_time(run_started_at) }},
            {{ _run_results_literal(result.node.unique_id) }},
            {{ _run_results_literal(result.node.resource_type) }},
            {{ _run_results_literal(result.status) }},
            {{ _run_results_literal(result.thread_id) }},
            {{ _run_results_time(timings[0].started_at if timings else none) }},
            {{ _run_results_time(timings[-1].completed_at if timings else none) }},
            {{ _run_results_literal(result.execution_time) }},
            {{ _run_results_literal(response.get('rows_affected')) }},
            {{ _run_results_literal(result.failures) }},
            {{ _run_results_time(modules.datetime.datetime.utcnow()) }}
        ){{ "," if not loop.last }}
    {%- endfor %}
    {%- endif %}
{%- endmacro %}
