{#- persist_docs on DuckDB (overrides dbt-duckdb's, which dbt dispatches to): the comments that
    differ from the model's YAML description and column descriptions, written in one statement,
    nothing when they all match. dbt-duckdb's reads the relation's columns twice and writes every
    comment again after every build, also of an incremental table, or one kept while the lake is
    unchanged (kept_tables.sql), that holds them already: about 80 ms a model. The existing
    comments come from one catalog query. A documented column the relation lacks gets none, as
    in dbt-duckdb's. -#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
    {%- set relation_docs = for_relation and config.persist_relation_docs() and model.description -%}
    {%- set column_docs = for_columns and config.persist_column_docs() and model.columns -%}
    {%- if not (relation_docs or column_docs) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set schema -%}
        database_name = '{{ relation.database }}' and schema_name = '{{ relation.schema }}'
    {%- endset -%}
    {%- set present -%}
        select null as column_name, comment
        {%- if relation.is_view %}
        from duckdb_views()
        where {{ schema }} and view_name = '{{ relation.identifier }}'
        {%- else %}
        from duckdb_tables()
        where {{ schema }} and table_name = '{{ relation.identifier }}'
        {%- endif %}
        union all
        select lower(column_name), comment
        from duckdb_columns()
        where {{ schema }} and table_name = '{{ relation.identifier }}'
    {%- endset -%}
    {%- set comments = {} -%}
    {%- set columns = {} -%}
    {%- for row in run_query(present).rows -%}
        {%- if row[0] is none -%}
            {%- do comments.update({'relation': row[1]}) -%}
        {%- else -%}
            {%- do columns.update({row[0]: row[1]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- if relation_docs and comments.get('relation') != model.description -%}
        {%- do statements.append(duckdb__alter_relation_comment(relation, model.description)) -%}
    {%- endif -%}
    {%- if column_docs -%}
        {%- for name, column in model.columns.items() -%}
            {%- set key = name | lower -%}
            {%- if column.description and key in columns and columns[key] != column.description -%}
                {%- set quoted = adapter.quote(name) if column.quote else name -%}
                {%- do statements.append(
                    'comment on column ' ~ relation ~ '.' ~ quoted ~ ' is '
                    ~ duckdb_escape_comment(column.description) ~ ';'
                ) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if statements -%}
        {%- do run_query(statements | join('\n')) -%}
    {%- endif -%}
{%- endmacro %}
