{#- Time helpers of the report marts (usage_blocks): the same SQL runs on DuckDB and PostgreSQL (Spark has its own hour floor),
    whatever the session's time zone. -#}

{# a timestamp with time zone floored to the start of its hour in UTC (ccusage's floorToHour) #}
{% macro utc_hour_floor(timestamp_expr) -%}
    {{ return(adapter.dispatch('utc_hour_floor', 'ai_conversations')(timestamp_expr)) }}
{%- endmacro %}
{% macro default__utc_hour_floor(timestamp_expr) -%}
    (date_trunc('hour', ({{ timestamp_expr }}) at time zone 'UTC') at time zone 'UTC')
{%- endmacro %}
{% macro spark__utc_hour_floor(timestamp_expr) -%}
    {#- Spark truncates in the session time zone: read the instant as UTC wall time, truncate,
        and read that wall time back as UTC -#}
    from_utc_timestamp(date_trunc('HOUR', to_utc_timestamp({{ timestamp_expr }}, current_timezone())), current_timezone())
{%- endmacro %}


{# the usage block length in whole hours (var usage_block_hours, default 5 as in ccusage) #}
{% macro usage_block_hours() -%}
    {%- set hours = var('usage_block_hours', 5) -%}
    {%- if hours is not number or hours != hours | int or hours < 1 -%}
        {{ exceptions.raise_compiler_error(
            "var usage_block_hours must be a whole number of hours >= 1, got " ~ hours
        ) }}
    {%- endif -%}
    {{ return(hours | int) }}
{%- endmacro %}


{#- Whether a usage block (usage_blocks) is still active at the time of the build: its block has not
    ended, and the block length has not passed since its last response. -#}
{% macro usage_block_is_active(block_start, last_activity_at) -%}
    {%- set block_hours = usage_block_hours() -%}
    coalesce(
        {{ dbt.current_timestamp() }} < {{ dbt.dateadd('hour', block_hours, block_start) }}
        and {{ dbt.current_timestamp() }} < {{ dbt.dateadd('hour', block_hours, last_activity_at) }},
        false
    )
{%- endmacro %}
