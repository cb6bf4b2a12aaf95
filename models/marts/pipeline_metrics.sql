{#- One row per extract run with its metrics per stage, and the dbt invocation that transformed
    what it landed: the first `dbt build` / `dbt run` that started after the run finished and
    before the next run started (null until one has). Throughput (rows, bytes, messages,
    conversations), latency per stage (discover, extract, load from the run record; transform
    from dbt's run results), quality (dead letters, duplicates, failed files, failed tests) and
    resources (CPU seconds, peak memory, bytes written). A view: the transform columns of the
    invocation that builds it appear as soon as its on-run-end hook has recorded them. -#}

{{ config(materialized='view') }}

with

extract_runs as (

    select * from {{ source('raw', 'extract_runs') }}

),

dbt_results as (

    select * from {{ source('dbt_audit', 'dbt_run_results') }}

),

messages as (

    select
        run_id,
        count(*) as messages_landed
    from {{ ref('int_messages_unioned') }}
    group by 1

),

versions as (

    select
        run_id,
        count(*) as conversations_landed
    from {{ ref('conversation_versions') }}
    group by 1

),

dead_letters as (

    select
        run_id,
        count(*) as dead_letters
    from {{ ref('dead_letter_records') }}
    group by 1

),

duplicates as (

    select
        dropped_run_id as run_id,
        count(*) as duplicates_dropped
    from {{ ref('duplicates') }}
    group by 1

),

invocations as (

    select
        invocation_id,
        min(command) as command,
        min(invocation_started_at) as invocation_started_at,
        min(started_at) as transform_started_at,
        max(completed_at) as transform_completed_at,
        sum(case when resource_type in ('model', 'seed', 'snapshot') then 1 else 0 end)
            as nodes_built,
        sum(case when resource_type in ('test', 'unit_test') then 1 else 0 end) as tests_run,
        sum(
            case
                when resource_type in ('test', 'unit_test') and status in ('fail', 'error') then 1
                else 0
            end
        ) as tests_failed,
        sum(case when status = 'error' then 1 else 0 end) as nodes_errored
    from dbt_results
    where command in ('build', 'run')
    group by 1

),

runs_in_order as (

    select
        *,
        lead(started_at) over (order by started_at, run_id) as next_run_started_at
    from extract_runs

),

matched as (

    select
        runs_in_order.run_id,
        invocations.*,
        row_number() over (
            partition by runs_in_order.run_id
            order by invocations.invocation_started_at, invocations.invocation_id
        ) as invocation_rank
    from runs_in_order
    inner join invocations
        on
            runs_in_order.finished_at <= invocations.invocation_started_at
            and (
                runs_in_order.next_run_started_at is null
                or runs_in_order.next_run_started_at > invocations.invocation_started_at
            )

),

transforms as (

    select * from matched
    where invocation_rank = 1

),

final as (

    select
        ---------- ids
        cast(runs.run_id as {{ dbt.type_string() }}) as run_id,
        cast(transforms.invocation_id as {{ dbt.type_string() }}) as dbt_invocation_id,

        ---------- strings
        cast(runs.status as {{ dbt.type_string() }}) as extract_status,
        cast(runs.extractor_version as {{ dbt.type_string() }}) as extractor_version,
        cast(runs.options_json as {{ dbt.type_string() }}) as options_json,
        cast(transforms.command as {{ dbt.type_string() }}) as dbt_command,

        ---------- throughput
        cast(runs.files_seen as {{ dbt.type_bigint() }}) as files_seen,
        cast(runs.rows_landed as {{ dbt.type_bigint() }}) as rows_landed,
        cast(runs.bytes_read as {{ dbt.type_bigint() }}) as bytes_read,
        cast(runs.bytes_written as {{ dbt.type_bigint() }}) as bytes_written,
        cast(runs.records_filtered as {{ dbt.type_bigint() }}) as records_filtered,
        cast(coalesce(messages.messages_landed, 0) as {{ dbt.type_bigint() }})
            as messages_landed,
        cast(coalesce(versions.conversations_landed, 0) as {{ dbt.type_bigint() }})
            as conversations_landed,

        ---------- quality
        cast(runs.files_failed as {{ dbt.type_bigint() }}) as files_failed,
        cast(runs.error_count as {{ dbt.type_bigint() }}) as error_count,
        cast(
            case
                when runs.files_seen > 0
                    then cast(runs.files_failed as {{ type_double() }}) / runs.files_seen
            end as {{ type_double() }}
        ) as file_error_rate,
        cast(coalesce(dead_letters.dead_letters, 0) as {{ dbt.type_bigint() }}) as dead_letters,
        cast(coalesce(duplicates.duplicates_dropped, 0) as {{ dbt.type_bigint() }})
            as duplicates_dropped,
        cast(transforms.tests_run as {{ dbt.type_bigint() }}) as dbt_tests_run,
        cast(transforms.tests_failed as {{ dbt.type_bigint() }}) as dbt_tests_failed,
        cast(transforms.nodes_built as {{ dbt.type_bigint() }}) as dbt_nodes_built,
        cast(transforms.nodes_errored as {{ dbt.type_bigint() }}) as dbt_nodes_errored,

        ---------- latency per stage (seconds)
        cast(runs.discover_seconds as {{ type_double() }}) as discover_seconds,
        cast(runs.extract_seconds as {{ type_double() }}) as extract_seconds,
        cast(runs.load_seconds as {{ type_double() }}) as load_seconds,
        cast(runs.total_seconds as {{ type_double() }}) as extract_run_seconds,
        cast(
            {{ dbt.datediff(
                'transforms.transform_started_at',
                'transforms.transform_completed_at',
                'millisecond'
            ) }} / 1000.0 as {{ type_double() }}
        ) as transform_seconds,

        ---------- resources
        cast(runs.cpu_seconds as {{ type_double() }}) as extract_cpu_seconds,
        cast(runs.peak_memory_bytes as {{ dbt.type_bigint() }}) as extract_peak_memory_bytes,

        ---------- timestamps
        runs.started_at,
        runs.finished_at,
        transforms.transform_started_at,
        transforms.transform_completed_at,

        {{ schema_version() }} as schema_version

    from extract_runs as runs
    left join transforms on runs.run_id = transforms.run_id
    left join messages on runs.run_id = messages.run_id
    left join versions on runs.run_id = versions.run_id
    left join dead_letters on runs.run_id = dead_letters.run_id
    left join duplicates on runs.run_id = duplicates.run_id

)

select * from final
