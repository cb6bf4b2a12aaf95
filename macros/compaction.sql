{#- Deleted rows in the incremental tables (DuckDB).

    Every incremental build deletes the rows of what changed and inserts them again
    (get_incremental_replace_where_sql). By default DuckDB then vacuums at each checkpoint: it
    rewrites every row group that lost rows, merged with its neighbours. In a 1% re-run at 1 GB
    that rewrite was 26 of the build's 66 seconds, every time, for a few percent of deleted rows.

    So on DuckDB the build turns vacuuming off (configure_warehouse, on-run-start): a row group
    whose rows were all deleted is still dropped at the checkpoint, the rest keep their deleted
    rows. compact_incremental_tables (on-run-end) then rewrites an incremental table the
    invocation built once its deleted rows make up more than var('compaction_deleted_fraction')
    of its stored rows and number at least var('compaction_min_deleted_rows') (a DuckDB row
    group, 122,880: fewer are not worth a rewrite, and a small table would be rewritten on every
    build). Its rows are copied into a new table of the same definition, which replaces it in
    one transaction (compact_table_sql). A rare rewrite of one table replaces a rewrite of every
    table on every build. Other adapters have nothing to do (PostgreSQL autovacuums; Spark
    rebuilds its tables). -#}

{% macro configure_warehouse() -%}
    {{ return(adapter.dispatch('configure_warehouse', 'ai_conversations')()) }}
{%- endmacro %}
{% macro default__configure_warehouse() -%}
    select 1 as nothing_to_configure
{%- endmacro %}
{% macro duckdb__configure_warehouse() -%}
    {%- set known = 0 -%}
    {%- if execute -%}
        {%- set known = run_query(
            "select count(*) from duckdb_settings() where name = 'max_vacuum_tasks'"
        ).columns[0].values()[0] -%}
    {%- endif -%}
    {%- if known > 0 -%}
    set global max_vacuum_tasks = 0
    {%- else -%}
    -- this DuckDB has no vacuum tasks to turn off
    select 1 as nothing_to_configure
    {%- endif -%}
{%- endmacro %}


{% macro compact_incremental_tables(results) -%}
    {{ return(adapter.dispatch('compact_incremental_tables', 'ai_conversations')(results)) }}
{%- endmacro %}
{% macro default__compact_incremental_tables(results) -%}
    select 1 as nothing_to_compact
{%- endmacro %}
{% macro duckdb__compact_incremental_tables(results) -%}
    {%- set limit = var('compaction_deleted_fraction') | float -%}
    {%- set minimum = var('compaction_min_deleted_rows') | int -%}
    {%- if execute and results -%}
        {%- for result in results
            if result.node.resource_type == 'model'
            and result.node.config.materialized == 'incremental'
            and result.status == 'success' -%}
            {%- set relation = adapter.get_relation(
                database=result.node.database,
                schema=result.node.schema,
                identifier=result.node.alias
            ) -%}
            {%- if relation is not none and relation.is_table -%}
                {%- set counts = run_query(
                    'select (select count(*) from ' ~ relation ~ '), estimated_size'
                    ~ ' from duckdb_tables()'
                    ~ " where database_name = '" ~ relation.database ~ "'"
                    ~ " and schema_name = '" ~ relation.schema ~ "'"
                    ~ " and table_name = '" ~ relation.identifier ~ "'"
                ).rows -%}
                {%- if counts | length == 1 -%}
                    {%- set live = counts[0][0] -%}
                    {%- set stored = counts[0][1] -%}
                    {%- if stored > 0 and (stored - live) / stored > limit
                        and stored - live >= minimum -%}
                        {{ log(
                            'compacting ' ~ relation.identifier ~ ': ' ~ (stored - live)
                            ~ ' of its ' ~ stored ~ ' stored rows are deleted', info=true
                        ) }}
                        {%- do run_query(compact_table_sql(relation)) -%}
                    {%- endif -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as compacted
{%- endmacro %}


{#- One transaction: a new table from the table's own DDL (duckdb_tables().sql: columns,
    types, constraints), the live rows copied into it in their order, the old table dropped, the
    new one renamed in its place, and the comments dbt persisted (persist_docs) set again. Only
    new row groups, none holding a deleted row. Views over the table read it by name. -#}
{% macro compact_table_sql(relation) -%}
    {%- set where -%}
        database_name = '{{ relation.database }}' and schema_name = '{{ relation.schema }}'
        and table_name = '{{ relation.identifier }}'
    {%- endset -%}
    {%- set table = run_query('select sql, comment from duckdb_tables() where ' ~ where).rows[0] -%}
    {%- set columns = run_query(
        'select column_name, comment from duckdb_columns() where comment is not null and ' ~ where
    ).rows -%}
    {%- set building = relation.incorporate(
        path={'identifier': relation.identifier ~ '__compacting'}
    ) -%}
    {%- set definition = table[0].split('(', 1)[1] -%}
    begin transaction;
    drop table if exists {{ building }};
    create table {{ building }} ({{ definition }}
    insert into {{ building }} select * from {{ relation }};
    drop table {{ relation }};
    alter table {{ building }} rename to {{ adapter.quote(relation.identifier) }};
    {%- if table[1] is not none %}
    comment on table {{ relation }} is '{{ table[1] | replace("'", "''") }}';
    {%- endif %}
    {%- for column in columns %}
    comment on column {{ relation }}.{{ adapter.quote(column[0]) }}
        is '{{ column[1] | replace("'", "''") }}';
    {%- endfor %}
    commit
{%- endmacro %}
