{#- One row per operation of the pipeline, whatever ran it:
    - extract: one row per extract run and platform it looked at (the run records in the lake's
      _runs/), plus one row without a platform for a run whose lake itself failed;
    - load: one row per `python -m extract load` into this warehouse (raw._load_runs). Only
      PostgreSQL has a load step: DuckDB reads the lake in place, so a DuckDB warehouse has no
      load rows (its extract rows' lake writes are the extract run's);
    - transform: one row per dbt invocation (dbt_run_results, recorded by the on-run-end hook);
    - deduplicate: one row per dbt invocation that ran the deduplication models, with the
      decisions of the duplicates mart for the invocation that built it last.
    A view, like pipeline_metrics, so that the invocation building it shows once its on-run-end
    hook has run. Statuses: ok, warn, partial, failed, nothing_found. -#}

{{ config(materialized='view') }}

with

extract_platforms as (

    select * from {{ ref('stg_pipeline__extract_run_platforms') }}

),

extract_errors as (

    select * from {{ ref('stg_pipeline__extract_run_errors') }}

),

loads as (

    select * from {{ ref('stg_pipeline__load_runs') }}

),

dbt_results as (

    select * from {{ source('dbt_audit', 'dbt_run_results') }}
    where resource_type <> 'exposure'

),

duplicates as (

    select * from {{ ref('duplicates') }}

),

---------- extract

extracts as (

    select
        'extract' as operation,
        run_id,
        platform,
        started_at,
        finished_at,
        duration_seconds,
        case
            when error_count = 0 and files_seen = 0 then 'nothing_found'
            when error_count = 0 then 'ok'
            when files_failed >= files_seen then 'failed'
            else 'partial'
        end as status,
        files_seen as object_count,
        rows_landed as row_count,
        error_count,
        {{ json_object([
            ('files_new', 'files_new'),
            ('files_grown', 'files_grown'),
            ('files_rewritten', 'files_rewritten'),
            ('files_unchanged', 'files_unchanged'),
            ('files_failed', 'files_failed'),
            ('bytes_read', 'bytes_read')
        ]) }} as detail
    from extract_platforms

),

lake_errors as (

    select
        run_id,
        min(started_at) as started_at,
        min(finished_at) as finished_at,
        count(*) as error_count,
        {{ json_array_agg(
            json_object([('lake', 'source_uri'), ('message', 'message')]),
            'error_index'
        ) }} as errors_json
    from extract_errors
    where platform = '-'
    group by 1

),

lake_failures as (

    select
        'extract' as operation,
        run_id,
        cast(null as {{ dbt.type_string() }}) as platform,
        started_at,
        finished_at,
        cast(
            {{ milliseconds_between('started_at', 'finished_at') }} / 1000.0
            as {{ type_double() }}
        ) as duration_seconds,
        'failed' as status,
        cast(0 as {{ dbt.type_bigint() }}) as object_count,
        cast(0 as {{ dbt.type_bigint() }}) as row_count,
        error_count,
        {{ json_object([('lake_errors', 'errors_json')], json_keys=['lake_errors']) }} as detail
    from lake_errors

),

---------- load

load_operations as (

    select
        'load' as operation,
        load_id as run_id,
        cast(null as {{ dbt.type_string() }}) as platform,
        started_at,
        finished_at,
        duration_seconds,
        status,
        files_loaded as object_count,
        rows_loaded as row_count,
        files_failed as error_count,
        {{ json_object([
            ('files_seen', 'files_seen'),
            ('files_skipped', 'files_skipped'),
            ('bytes_loaded', 'bytes_loaded'),
            ('retries', 'retries'),
            ('errors', 'errors_json')
        ], json_keys=['errors']) }} as detail
    from loads

),

---------- transform

invocations as (

    select
        invocation_id,
        min(command) as command,
        min(invocation_started_at) as started_at,
        max(recorded_at) as finished_at,
        sum(case when resource_type in ('model', 'seed', 'snapshot') then 1 else 0 end)
            as nodes_built,
        sum(case when resource_type = 'model' then 1 else 0 end) as models,
        sum(case when resource_type = 'seed' then 1 else 0 end) as seeds,
        sum(case when resource_type in ('test', 'unit_test') then 1 else 0 end) as tests,
        sum(case when status in ('error', 'fail') then 1 else 0 end) as errors,
        sum(case when status = 'warn' then 1 else 0 end) as warnings,
        sum(case when status = 'skipped' then 1 else 0 end) as skipped,
        sum(
            case when resource_type in ('model', 'seed', 'snapshot') then rows_affected end
        ) as rows_affected
    from dbt_results
    group by 1

),

transforms as (

    select
        'transform' as operation,
        invocation_id as run_id,
        cast(null as {{ dbt.type_string() }}) as platform,
        started_at,
        finished_at,
        cast(
            {{ milliseconds_between('started_at', 'finished_at') }} / 1000.0
            as {{ type_double() }}
        ) as duration_seconds,
        case
            when errors > 0 or skipped > 0 then 'failed'
            when warnings > 0 then 'warn'
            else 'ok'
        end as status,
        nodes_built as object_count,
        rows_affected as row_count,
        errors as error_count,
        {{ json_object([
            ('command', 'command'),
            ('models', 'models'),
            ('seeds', 'seeds'),
            ('tests', 'tests'),
            ('warnings', 'warnings'),
            ('skipped', 'skipped')
        ]) }} as detail
    from invocations

),

---------- deduplicate

dedup_nodes as (

    select
        invocation_id,
        min(started_at) as started_at,
        max(completed_at) as finished_at,
        count(*) as nodes_run,
        sum(case when status in ('error', 'skipped') then 1 else 0 end) as errors,
        max(case when unique_id = 'model.ai_conversations.duplicates' then rows_affected end)
            as duplicates_rows_affected,
        max(
            case
                when unique_id = 'model.ai_conversations.duplicates' and status = 'success'
                    then 1
                else 0
            end
        ) as built_duplicates
    from dbt_results
    where unique_id in ({{ deduplication_node_ids() }})
    group by 1

),

duplicates_builds as (

    select
        invocation_id,
        row_number() over (order by started_at desc, invocation_id desc) as build_recency
    from dedup_nodes
    where built_duplicates = 1

),

latest_duplicates_build as (

    select invocation_id
    from duplicates_builds
    where build_recency = 1

),

decisions_by_kind as (

    select
        entity,
        level,
        action,
        count(*) as decisions
    from duplicates
    group by 1, 2, 3

),

decisions as (

    select
        sum(decisions) as decisions,
        {{ json_array_agg(
            json_object([
                ('entity', 'entity'),
                ('level', 'level'),
                ('action', 'action'),
                ('decisions', 'decisions')
            ]),
            'entity, level, action'
        ) }} as decisions_json
    from decisions_by_kind

),

deduplications as (

    select
        'deduplicate' as operation,
        dedup_nodes.invocation_id as run_id,
        cast(null as {{ dbt.type_string() }}) as platform,
        dedup_nodes.started_at,
        dedup_nodes.finished_at,
        cast(
            {{ milliseconds_between('dedup_nodes.started_at', 'dedup_nodes.finished_at') }}
            / 1000.0 as {{ type_double() }}
        ) as duration_seconds,
        case when dedup_nodes.errors > 0 then 'failed' else 'ok' end as status,
        dedup_nodes.nodes_run as object_count,
        case
            when latest_duplicates_build.invocation_id is not null
                then coalesce(decisions.decisions, 0)
            else dedup_nodes.duplicates_rows_affected
        end as row_count,
        dedup_nodes.errors as error_count,
        case
            when latest_duplicates_build.invocation_id is not null
                then {{ json_object(
                    [('decisions', 'decisions.decisions_json')], json_keys=['decisions']
                ) }}
            else {{ json_object([('decisions', 'null')]) }}
        end as detail
    from dedup_nodes
    left join latest_duplicates_build
        on dedup_nodes.invocation_id = latest_duplicates_build.invocation_id
    cross join decisions

),

unioned as (

    select * from extracts
    union all
    select * from lake_failures
    union all
    select * from load_operations
    union all
    select * from transforms
    union all
    select * from deduplications

),

final as (

    select
        cast(
            {{ deterministic_id(['operation', 'run_id', 'platform']) }} as {{ dbt.type_string() }}
        ) as audit_id,
        cast(operation as {{ dbt.type_string() }}) as operation,
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        started_at,
        finished_at,
        cast(duration_seconds as {{ type_double() }}) as duration_seconds,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(object_count as {{ dbt.type_bigint() }}) as object_count,
        cast(row_count as {{ dbt.type_bigint() }}) as row_count,
        cast(error_count as {{ dbt.type_bigint() }}) as error_count,
        cast(detail as {{ dbt.type_string() }}) as detail,
        {{ schema_version() }} as schema_version
    from unioned

)

select * from final
