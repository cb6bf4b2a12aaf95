{#- Spark: where dbt-spark itself needs help with this project. The YAML keeps one set of type
    names, DuckDB's and PostgreSQL's (varchar, double precision, timestamp with time zone, ...);
    spark_data_type() names the Spark type each stands for, and the two places dbt-spark reads a
    declared type go through it: model contracts (get_empty_schema_sql casts a null to each
    declared type and compares the result with the model's columns) and seed column_types.
    These override dbt-spark's own macros of the same name (a root project's spark__ macro wins
    the dispatch); nothing here runs on DuckDB or PostgreSQL. -#}

{# the Spark SQL type a declared (DuckDB / PostgreSQL) type name stands for #}
{% macro spark_data_type(data_type) -%}
    {%- set name = data_type | trim | lower -%}
    {%- set names = {
        'varchar': 'string', 'text': 'string', 'character varying': 'string',
        'double precision': 'double', 'float8': 'double',
        'timestamp with time zone': 'timestamp', 'timestamptz': 'timestamp',
        'integer': 'int', 'int4': 'int', 'int8': 'bigint',
    } -%}
    {{ return(names.get(name, data_type)) }}
{%- endmacro %}


{# contracts: the declared types, as Spark names them #}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = columns[name] -%}
        {%- if column.get('data_type') is not none -%}
            {%- do translated.update({name: dict(column, data_type=spark_data_type(column['data_type']))}) -%}
        {%- else -%}
            {%- do translated.update({name: column}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(translated)) }}
{%- endmacro %}


{# a seed's column types: column_types (translated) where given, else the type dbt infers #}
{% macro _spark_seed_column_types(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do types.append(spark_data_type(column_override.get(col_name, inferred_type))) -%}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}


{# a value of a seed row as a Spark SQL literal. dbt-spark's session cursor pastes values between
   quotes without escaping and writes an empty cell as 'None'; here an empty cell is null and a
   quote or a backslash in a text is its own chr() (the profile keeps string literals unescaped) #}
{% macro _spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is number or value is boolean -%}
        {{ value }}
    {%- else -%}
        {%- set pieces = [] -%}
        {%- for quoted_part in (value | string).split("'") -%}
            {%- set backslash_parts = [] -%}
            {%- for part in quoted_part.split('\\') -%}
                {%- do backslash_parts.append("'" ~ part ~ "'") -%}
            {%- endfor -%}
            {%- do pieces.append(backslash_parts | join(', chr(92), ')) -%}
        {%- endfor -%}
        {%- if pieces | length == 1 and "chr(92)" not in pieces[0] -%}
            {{ pieces[0] }}
        {%- else -%}
            concat({{ pieces | join(', chr(39), ') }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{% macro spark__create_csv_table(model, agate_table) %}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {%- set types = _spark_seed_column_types(model, agate_table) -%}
    {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }} {{ types[loop.index0] }}
            {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ partition_cols(label="partitioned by") }}
    {{ clustered_cols(label="clustered by") }}
    {{ location_clause() }}
    {{ comment_clause() }}
    {% endset %}
    {% call statement('_') -%}
        {{ sql }}
    {%- endcall %}
    {{ return(sql) }}
{% endmacro %}


{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set types = _spark_seed_column_types(model, agate_table) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {% set sql %}
        insert into {{ this.render() }} values
        {% for row in chunk -%}
            ({%- for value in row -%}
                cast({{ _spark_seed_literal(value) }} as {{ types[loop.index0] }})
                {%- if not loop.last %}, {% endif -%}
            {%- endfor -%})
            {%- if not loop.last %},{% endif %}
        {% endfor %}
        {% endset %}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}


{# dbt-spark's split_part splits on a regular expression it escapes with a backslash literal, which
   the profile's SQL-standard string literals (spark.sql.parser.escapedStringLiterals) keep as two
   backslashes; Spark's own split_part splits on the text and counts from the end for a negative
   part, as DuckDB's and PostgreSQL's do #}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}


{# dbt-spark's dateadd goes through whole epoch seconds (to_unix_timestamp) and drops the
   fraction; Spark's timestampadd adds any unit down to the microsecond #}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}
