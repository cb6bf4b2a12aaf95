{#- The table materialization on DuckDB and PostgreSQL. A model marked keep_while_lake_unchanged
    whose build keeps its rows (no lake scope changed since the last complete build; its SQL is
    then `select * from this`) stands as it is: no copy into a new table swapped in, so a build
    with nothing new costs the same whatever the size of the warehouse. Every other table model
    is built by the adapter's own table materialization, unchanged. Spark rebuilds every table
    (keep_while_lake_unchanged is false there) and keeps its own. -#}
{% materialization table, adapter='duckdb', supported_languages=['sql', 'python'] %}
    {{ return(table_unless_kept()) }}
{% endmaterialization %}

{% materialization table, adapter='postgres', supported_languages=['sql'] %}
    {{ return(table_unless_kept()) }}
{% endmaterialization %}


{#- Keeps the table (kept_table) when the model is marked keep_while_lake_unchanged (as_is, the
    default: its kept SQL is `select * from this`), keeps its rows in this build and is a table
    already; else builds it with the adapter's table materialization (dbt-duckdb's, or dbt's
    default on PostgreSQL). -#}
{% macro table_unless_kept() -%}
    {%- if config.get('kept_as_is') and keep_while_lake_unchanged() -%}
        {%- set existing = load_relation(this) -%}
        {%- if existing is not none and existing.is_table -%}
            {{ return(kept_table(existing)) }}
        {%- endif -%}
    {%- endif -%}
    {%- set builtin = dbt.get('materialization_table_' ~ adapter.type())
        or dbt.materialization_table_default -%}
    {{ return(builtin()) }}
{%- endmacro %}


{#- A table model's build that keeps the table as it is (dbt prints and records its status as
    KEPT): its hooks, grants and docs as the table materialization applies them, and, for a
    contracted model, the check that the table's columns still match the contract (a project
    upgrade that changed them needs a --full-refresh). -#}
{% macro kept_table(relation) -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- if config.get('contract').enforced -%}
        {{ get_assert_columns_equivalent(compiled_code) }}
    {%- endif -%}
    {%- call statement('main') -%}
        select 1 as kept
    {%- endcall -%}
    {#- the status dbt prints and records (run_results.json) for the model: KEPT, not OK -#}
    {%- do store_raw_result('main', message='KEPT', code='KEPT', rows_affected=0) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- set revoke = should_revoke(relation, full_refresh_mode=False) -%}
    {%- do apply_grants(relation, config.get('grants'), should_revoke=revoke) -%}
    {%- do persist_docs(relation, model) -%}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [relation]}) }}
{%- endmacro %}
