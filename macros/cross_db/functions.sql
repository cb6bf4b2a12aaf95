{#- Small cross-database helpers: casts that do not fail, hashes, regular expressions, time zones. -#}

{% macro try_cast_bigint(expr) -%}
    {{ return(adapter.dispatch('try_cast_bigint', 'ai_conversations')(expr)) }}
{%- endmacro %}
{% macro default__try_cast_bigint(expr) -%}{{ _not_implemented('try_cast_bigint') }}{%- endmacro %}
{% macro duckdb__try_cast_bigint(expr) -%}
    try_cast(try_cast({{ expr }} as double) as bigint)
{%- endmacro %}
{% macro postgres__try_cast_bigint(expr) -%}
    {{ target.schema }}.try_cast_bigint(({{ expr }})::text)
{%- endmacro %}
{% macro spark__try_cast_bigint(expr) -%}
    try_cast(round(try_cast({{ expr }} as double)) as bigint)
{%- endmacro %}


{% macro try_cast_double(expr) -%}
    {{ return(adapter.dispatch('try_cast_double', 'ai_conversations')(expr)) }}
{%- endmacro %}
{% macro default__try_cast_double(expr) -%}{{ _not_implemented('try_cast_double') }}{%- endmacro %}
{% macro duckdb__try_cast_double(expr) -%}
    try_cast({{ expr }} as double)
{%- endmacro %}
{% macro postgres__try_cast_double(expr) -%}
    {{ target.schema }}.try_cast_double(({{ expr }})::text)
{%- endmacro %}
{% macro spark__try_cast_double(expr) -%}
    try_cast({{ expr }} as double)
{%- endmacro %}


{# true when the whole text matches a (POSIX-compatible) regular expression #}
{% macro regex_full_match(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'ai_conversations')(expr, pattern)) }}
{%- endmacro %}
{% macro default__regex_full_match(expr, pattern) -%}
    {{ _not_implemented('regex_full_match') }}
{%- endmacro %}
{% macro duckdb__regex_full_match(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}
{% macro postgres__regex_full_match(expr, pattern) -%}
    (({{ expr }}) ~ '^(?:{{ pattern }})$')
{%- endmacro %}
{% macro spark__regex_full_match(expr, pattern) -%}
    (({{ expr }}) rlike '^(?:{{ pattern }})$')
{%- endmacro %}


{# SHA-256 of a text, lower-case hex #}
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'ai_conversations')(expr)) }}
{%- endmacro %}
{% macro default__sha256_hex(expr) -%}{{ _not_implemented('sha256_hex') }}{%- endmacro %}
{% macro duckdb__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}
{% macro postgres__sha256_hex(expr) -%}
    encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex')
{%- endmacro %}
{% macro spark__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}


{# the calendar date of a UTC timestamp in a time zone (an IANA name) #}
{% macro to_local_date(timestamp_expr, tz=none) -%}
    {%- set zone = tz if tz is not none else var('reporting_timezone', 'UTC') -%}
    {{ return(adapter.dispatch('to_local_date', 'ai_conversations')(timestamp_expr, zone)) }}
{%- endmacro %}
{% macro default__to_local_date(timestamp_expr, zone) -%}
    {{ _not_implemented('to_local_date') }}
{%- endmacro %}
{% macro duckdb__to_local_date(timestamp_expr, zone) -%}
    cast(timezone('{{ zone }}', {{ timestamp_expr }}) as date)
{%- endmacro %}
{% macro postgres__to_local_date(timestamp_expr, zone) -%}
    cast(({{ timestamp_expr }}) at time zone '{{ zone }}' as date)
{%- endmacro %}
{% macro spark__to_local_date(timestamp_expr, zone) -%}
    cast(convert_timezone(current_timezone(), '{{ zone }}', cast({{ timestamp_expr }} as timestamp_ntz)) as date)
{%- endmacro %}


{# milliseconds between two timestamps #}
{% macro milliseconds_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('milliseconds_between', 'ai_conversations')(start_expr, end_expr)) }}
{%- endmacro %}
{% macro default__milliseconds_between(start_expr, end_expr) -%}
    {{ _not_implemented('milliseconds_between') }}
{%- endmacro %}
{% macro duckdb__milliseconds_between(start_expr, end_expr) -%}
    date_diff('millisecond', {{ start_expr }}, {{ end_expr }})
{%- endmacro %}
{% macro postgres__milliseconds_between(start_expr, end_expr) -%}
    {#- millisecond boundaries crossed, as DuckDB's date_diff counts them -#}
    ({{ postgres__epoch_milliseconds(end_expr) }} - {{ postgres__epoch_milliseconds(start_expr) }})
{%- endmacro %}
{% macro spark__milliseconds_between(start_expr, end_expr) -%}
    (unix_millis({{ end_expr }}) - unix_millis({{ start_expr }}))
{%- endmacro %}


{# the part of a path after the last '/' #}
{% macro file_name(path_expr) -%}
    {{ dbt.split_part(path_expr, "'/'", -1) }}
{%- endmacro %}


{# PostgreSQL helper functions the macros above call (on-run-start); nothing to do elsewhere #}
{% macro create_cross_db_helpers() -%}
    {{ return(adapter.dispatch('create_cross_db_helpers', 'ai_conversations')()) }}
{%- endmacro %}
{% macro default__create_cross_db_helpers() -%}
    select 1 as nothing_to_create
{%- endmacro %}
{% macro postgres__create_cross_db_helpers() -%}
    {%- if not var('postgres_jit', false) %}
    -- JIT compilation of these JSON-heavy plans costs seconds per query and saves nothing: turn it
    -- off for the warehouse database (new sessions: dbt's model threads) and for this session.
    do $do$
    begin
        execute format('alter database %I set jit = off', current_database());
    exception when insufficient_privilege then
        raise notice 'cannot turn JIT off for database % (not its owner): set jit = off on the server',
            current_database();
    end
    $do$;
    set jit = off;
    {%- endif %}
    create schema if not exists {{ target.schema }};
    create or replace function {{ target.schema }}.is_valid_json(value text)
    returns boolean language plpgsql immutable as $fn$
    begin
        perform value::jsonb;
        return value is not null;
    exception when others then
        return false;
    end;
    $fn$;
    create or replace function {{ target.schema }}.try_cast_bigint(value text)
    returns bigint language plpgsql immutable as $fn$
    begin
        return round(value::double precision)::bigint;
    exception when others then
        return null;
    end;
    $fn$;
    create or replace function {{ target.schema }}.try_cast_double(value text)
    returns double precision language plpgsql immutable as $fn$
    begin
        return value::double precision;
    exception when others then
        return null;
    end;
    $fn$;
    -- JSON text as DuckDB writes it (no spaces), keys in jsonb order: one rendering of JSON
    -- values across adapters (jsonb::text puts a space after every ':' and ',')
    create or replace function {{ target.schema }}.compact_json(value jsonb)
    returns text language sql immutable as $fn$
        select case jsonb_typeof(value)
            when 'object' then '{' || coalesce((
                select string_agg(to_jsonb(m.key)::text || ':' || {{ target.schema }}.compact_json(m.value), ',' order by m.ordinality)
                from jsonb_each(value) with ordinality as m (key, value, ordinality)
            ), '') || '}'
            when 'array' then '[' || coalesce((
                select string_agg({{ target.schema }}.compact_json(e.value), ',' order by e.ordinality)
                from jsonb_array_elements(value) with ordinality as e (value, ordinality)
            ), '') || ']'
            else value::text
        end
    $fn$;
    create or replace function {{ target.schema }}.try_cast_timestamptz(value text)
    returns timestamptz language plpgsql immutable as $fn$
    begin
        return value::timestamptz;
    exception when others then
        return null;
    end;
    $fn$
{%- endmacro %}


{# Spark reads the lake in place: one external Parquet table per raw source (every platform of var
   unified_platforms, and extract_runs), declared with the raw contract's columns
   (raw_record_column_types, extract_runs_column_types) over LAKE_URI. Recreated on every run, so
   the tables always point at the current LAKE_URI and list the files landed since (dropping an
   external table never deletes its files). recursiveFileLookup reads the date=... folders without
   inferring partition columns; files whose names start with `_` (the zero-row _empty.parquet) are
   hidden from Spark, and a folder without any file reads as an empty table. #}
{% macro spark__create_cross_db_helpers() -%}
    {%- if execute -%}
        {%- set lake = env_var('LAKE_URI', 'lake') | replace('file://', '') -%}
        {%- set schema = var('raw_schema', 'raw') -%}
        {%- set tables = [('extract_runs', lake ~ '/_runs', extract_runs_column_types())] -%}
        {%- for platform in var('unified_platforms') -%}
            {%- do tables.append((platform, lake ~ '/raw/platform=' ~ platform, raw_record_column_types())) -%}
        {%- endfor -%}
        {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- for name, location, column_types in tables -%}
            {%- set relation = schema ~ '.' ~ adapter.quote(name) -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- set columns = [] -%}
            {%- for column, data_type in column_types.items() -%}
                {%- do columns.append(column ~ ' ' ~ data_type) -%}
            {%- endfor -%}
            {%- do run_query(
                'create table ' ~ relation ~ ' (' ~ columns | join(', ') ~ ') using parquet'
                ~ " options (recursiveFileLookup 'true') location '" ~ location ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as raw_tables_created
{%- endmacro %}


{# the first capture group of a regular expression, or null #}
{% macro regex_extract(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_extract', 'ai_conversations')(expr, pattern)) }}
{%- endmacro %}
{% macro default__regex_extract(expr, pattern) -%}{{ _not_implemented('regex_extract') }}{%- endmacro %}
{% macro duckdb__regex_extract(expr, pattern) -%}
    nullif(regexp_extract({{ expr }}, '{{ pattern }}', 1), '')
{%- endmacro %}
{% macro postgres__regex_extract(expr, pattern) -%}
    substring({{ expr }} from '{{ pattern }}')
{%- endmacro %}
{% macro spark__regex_extract(expr, pattern) -%}
    nullif(regexp_extract({{ expr }}, '{{ pattern }}', 1), '')
{%- endmacro %}


{# an 8-byte floating point type (dbt.type_float() is 4 bytes on DuckDB) #}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'ai_conversations')()) }}
{%- endmacro %}
{% macro default__type_double() -%}double precision{%- endmacro %}
{% macro duckdb__type_double() -%}double{%- endmacro %}
{% macro spark__type_double() -%}double{%- endmacro %}


{# milliseconds since 1970-01-01 UTC of a timestamp with time zone, as bigint #}
{% macro epoch_milliseconds(timestamp_expr) -%}
    {{ return(adapter.dispatch('epoch_milliseconds', 'ai_conversations')(timestamp_expr)) }}
{%- endmacro %}
{% macro default__epoch_milliseconds(timestamp_expr) -%}
    {{ _not_implemented('epoch_milliseconds') }}
{%- endmacro %}
{% macro duckdb__epoch_milliseconds(timestamp_expr) -%}
    {#- DuckDB's epoch_ms rounds to the nearest millisecond; PostgreSQL's floor: floor on both -#}
    cast(floor(epoch_us(cast({{ timestamp_expr }} as timestamptz)) / 1000) as bigint)
{%- endmacro %}
{% macro postgres__epoch_milliseconds(timestamp_expr) -%}
    cast(floor(extract(epoch from cast({{ timestamp_expr }} as timestamptz)) * 1000) as bigint)
{%- endmacro %}
{% macro spark__epoch_milliseconds(timestamp_expr) -%}
    unix_millis({{ timestamp_expr }})
{%- endmacro %}


{# a double rounded to `digits` decimals, as a double (PostgreSQL rounds to digits only numerics) #}
{% macro round_double(expr, digits) -%}
    {{ return(adapter.dispatch('round_double', 'ai_conversations')(expr, digits)) }}
{%- endmacro %}
{% macro default__round_double(expr, digits) -%}
    cast(round({{ expr }}, {{ digits }}) as {{ type_double() }})
{%- endmacro %}
{% macro postgres__round_double(expr, digits) -%}
    cast(round(cast({{ expr }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}


{# `materialized` for a CTE that must be computed once (DuckDB and PostgreSQL inline a CTE into
   every reference otherwise, and a recursive CTE references it on every step); empty elsewhere #}
{% macro cte_materialized() -%}
    {{ return(adapter.dispatch('cte_materialized', 'ai_conversations')()) }}
{%- endmacro %}
{% macro default__cte_materialized() -%}{%- endmacro %}
{% macro duckdb__cte_materialized() -%}materialized{%- endmacro %}
{% macro postgres__cte_materialized() -%}materialized{%- endmacro %}


{# dbt-postgres `indexes` config for a list of column lists, on PostgreSQL only: dbt-duckdb also
   creates them, and DuckDB then cannot rename the table aside when the model is rebuilt #}
{% macro postgres_indexes(column_lists) -%}
    {%- set out = [] -%}
    {%- if target.type == 'postgres' -%}
        {%- for columns in column_lists -%}{%- do out.append({'columns': columns}) -%}{%- endfor -%}
    {%- endif -%}
    {{ return(out) }}
{%- endmacro %}


{# string aggregation in a given order (dbt.listagg ignores its ORDER BY on Spark): `order_by` is a
   list of SQL expressions, each ascending with nulls last; null measures are skipped and a group
   without any gives null, as dbt.listagg does on DuckDB and PostgreSQL #}
{% macro listagg_ordered(measure, delimiter_text, order_by) -%}
    {%- if order_by is string -%}
        {{ exceptions.raise_compiler_error("listagg_ordered: order_by is a list of expressions, got '" ~ order_by ~ "'") }}
    {%- endif -%}
    {{ return(adapter.dispatch('listagg_ordered', 'ai_conversations')(measure, delimiter_text, order_by)) }}
{%- endmacro %}
{% macro default__listagg_ordered(measure, delimiter_text, order_by) -%}
    {%- set keys = [] -%}
    {%- for expr in order_by -%}{%- do keys.append(expr ~ ' asc nulls last') -%}{%- endfor -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ keys | join(', ')) }}
{%- endmacro %}
{% macro spark__listagg_ordered(measure, delimiter_text, order_by) -%}
    case when count({{ measure }}) > 0 then array_join(transform(
        array_sort(collect_list(named_struct(
            {%- for expr in order_by %}
            'null_{{ loop.index }}', ({{ expr }}) is null, 'key_{{ loop.index }}', {{ expr }},
            {%- endfor %}
            'measure', {{ measure }}
        ))),
        x -> x.measure
    ), {{ delimiter_text }}) end
{%- endmacro %}


{# a text without any of `characters` (a SQL expression giving the set) at either end; Spark's
   two-argument ltrim / rtrim take the characters first, so it trims with trim(both ... from ...) #}
{% macro trim_characters(expr, characters) -%}
    {{ return(adapter.dispatch('trim_characters', 'ai_conversations')(expr, characters)) }}
{%- endmacro %}
{% macro default__trim_characters(expr, characters) -%}
    rtrim(ltrim({{ expr }}, {{ characters }}), {{ characters }})
{%- endmacro %}
{% macro spark__trim_characters(expr, characters) -%}
    trim(both {{ characters }} from {{ expr }})
{%- endmacro %}


{#- A hash of a whole row, given the alias of its relation in the FROM clause (only compared with
    hashes computed by the same adapter: row_set_hash aggregates them). -#}
{% macro row_hash(alias) -%}
    {{ return(adapter.dispatch('row_hash', 'ai_conversations')(alias)) }}
{%- endmacro %}
{% macro default__row_hash(alias) -%}{{ _not_implemented('row_hash') }}{%- endmacro %}
{% macro duckdb__row_hash(alias) -%}
    hash({{ alias }})
{%- endmacro %}
{% macro postgres__row_hash(alias) -%}
    md5(cast({{ alias }} as text))
{%- endmacro %}
{% macro spark__row_hash(alias) -%}
    md5(to_json(struct({{ alias }}.*)))
{%- endmacro %}


{#- Aggregate: one string for a set of row_hash values, whatever their order (equal sets of rows,
    equal strings; any row added, removed or changed, almost surely another). -#}
{% macro row_set_hash(hash_expr) -%}
    {{ return(adapter.dispatch('row_set_hash', 'ai_conversations')(hash_expr)) }}
{%- endmacro %}
{% macro default__row_set_hash(hash_expr) -%}{{ _not_implemented('row_set_hash') }}{%- endmacro %}
{% macro duckdb__row_set_hash(hash_expr) -%}
    cast(sum({{ hash_expr }}) as varchar) || ':' || cast(count(*) as varchar)
{%- endmacro %}
{% macro postgres__row_set_hash(hash_expr) -%}
    md5(string_agg({{ hash_expr }}, '' order by {{ hash_expr }}))
{%- endmacro %}
{% macro spark__row_set_hash(hash_expr) -%}
    sha2(concat_ws('', sort_array(collect_list({{ hash_expr }}))), 256)
{%- endmacro %}
