{#- Helpers of the openai_api staging models (OpenAI / Azure OpenAI API logs). -#}

{# the running concatenation of a text column in a window: for each row, the values of the rows
   of its partition from the first up to itself (in `order_by` order), joined without separator.
   The conversation rebuilding hashes it to get a message-history prefix hash per message. #}
{% macro openai_api_running_concat(expr, partition_by, order_by) -%}
    {{ return(adapter.dispatch('openai_api_running_concat', 'ai_conversations')(expr, partition_by, order_by)) }}
{%- endmacro %}
{% macro default__openai_api_running_concat(expr, partition_by, order_by) -%}
    {{ exceptions.raise_compiler_error(
        "openai_api_running_concat is not implemented for adapter " ~ target.type
    ) }}
{%- endmacro %}
{% macro duckdb__openai_api_running_concat(expr, partition_by, order_by) -%}
    string_agg({{ expr }}, '') over (
        partition by {{ partition_by }}
        order by {{ order_by }}
        rows between unbounded preceding and current row
    )
{%- endmacro %}
{% macro postgres__openai_api_running_concat(expr, partition_by, order_by) -%}
    string_agg({{ expr }}, '') over (
        partition by {{ partition_by }}
        order by {{ order_by }}
        rows between unbounded preceding and current row
    )
{%- endmacro %}
{# Spark: collect_list over the frame keeps the frame's order (an aggregate's ORDER BY is ignored) #}
{% macro spark__openai_api_running_concat(expr, partition_by, order_by) -%}
    {%- set frame -%}
        over (
            partition by {{ partition_by }}
            order by {{ order_by }}
            rows between unbounded preceding and current row
        )
    {%- endset -%}
    case when count({{ expr }}) {{ frame }} > 0 then array_join(collect_list({{ expr }}) {{ frame }}, '') end
{%- endmacro %}


{# a text that holds JSON (an APIM body, a diagnostic log's properties string) as JSON text when
   it is a JSON object, else null: safe to pass to every json_* macro #}
{% macro openai_api_json_object_or_null(text_expr) -%}
    case
        when {{ json_is_valid(text_expr) }} and {{ json_type(text_expr) }} = 'object'
            then {{ text_expr }}
    end
{%- endmacro %}


{# .NET ticks (100 ns since 0001-01-01, as Azure diagnostic logs write requestTime) -> UTC
   timestamp: the whole seconds since 1970 and the 7-digit fraction are put together as text
   (`<seconds>.<fraction>`) so that no precision is lost in a double. Anything that is not a whole
   number of 8 to 19 digits -> null. #}
{% macro openai_api_ticks_to_timestamp(ticks_text) -%}
    {%- set seconds = try_cast_bigint("substr(" ~ ticks_text ~ ", 1, length(" ~ ticks_text ~ ") - 7)")
        ~ " - 62135596800" -%}
    case
        when {{ regex_full_match(ticks_text, '[0-9]{8,19}') }}
            then {{ to_utc_timestamp(dbt.concat([
                "cast(" ~ seconds ~ " as " ~ dbt.type_string() ~ ")",
                "'.'",
                "substr(" ~ ticks_text ~ ", length(" ~ ticks_text ~ ") - 6)"
            ])) }}
    end
{%- endmacro %}
