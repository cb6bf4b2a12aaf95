{#- Spark: where dbt-spark itself needs help with this project. The YAML keeps one set of type
    names, DuckDB's and PostgreSQL's (varchar, double precision, timestamp with time zone, ...);
    spark_data_type() names the Spark type each stands for, and the places dbt reads a declared
    type go through it: model contracts and unit test fixtures (dbt's cast and safe_cast) and
    seed column_types.
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


{# contracts (get_empty_schema_sql casts a null to each declared type) and unit test fixtures
   (safe_cast of each given value to its column's declared type): the declared types, as Spark
   names them #}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_data_type(type) }})
{%- endmacro %}
{% macro spark__safe_cast(field, type) -%}
    {%- set spark_type = spark_data_type(type) -%}
    {%- if field is string and spark_type.lower().startswith(('struct', 'array', 'map')) -%}
        {%- set field = field.strip('"').strip("'") -%}
    {%- endif -%}
    cast({{ field }} as {{ spark_type }})
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


{# the text between the quotes of a string literal (dbt.string_literal wraps it, unit test fixtures
   use it). The profile keeps string literals unescaped (spark.sql.parser.escapedStringLiterals, as
   on DuckDB and PostgreSQL), where dbt-spark's \' would stay in the text; a quote or a backslash
   is its own chr() instead: they're -> they' || chr(39) || 're #}
{% macro spark__escape_single_quotes(expression) -%}
    {%- set pieces = [] -%}
    {%- for quoted_part in (expression | string).split("'") -%}
        {%- do pieces.append(quoted_part.split('\\') | join("' || chr(92) || '")) -%}
    {%- endfor -%}
    {{ pieces | join("' || chr(39) || '") }}
{%- endmacro %}


{# a value of a seed row as a Spark SQL literal: dbt-spark's session cursor pastes values between
   quotes without escaping and writes an empty cell as 'None' #}
{% macro _spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is number or value is boolean -%}
        {{ value }}
    {%- else -%}
        ('{{ spark__escape_single_quotes(value) }}')
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
