{#- Token normalization: one macro per concept. Providers disagree on what "input" means
    (Anthropic's input_tokens EXCLUDES cache reads and writes; OpenAI-style prompt_tokens INCLUDE
    cached tokens). The unified columns are disjoint so they add up:
      input_tokens (uncached) + cache_read_tokens + cache_write_tokens = total input. -#}

{# uncached input tokens. input_includes_cache: true for OpenAI-style usage, false for Anthropic #}
{% macro uncached_input_tokens(input_expr, cache_read_expr, cache_write_expr, input_includes_cache) -%}
    {%- if input_includes_cache -%}
        greatest(
            coalesce({{ input_expr }}, 0)
            - coalesce({{ cache_read_expr }}, 0)
            - coalesce({{ cache_write_expr }}, 0),
            0
        )
    {%- else -%}
        {{ input_expr }}
    {%- endif -%}
{%- endmacro %}

{# cache writes: the reported total, else the sum of the 5-minute and 1-hour parts #}
{% macro cache_write_tokens(total_expr, write_5m_expr, write_1h_expr) -%}
    coalesce(
        {{ total_expr }},
        case
            when {{ write_5m_expr }} is not null or {{ write_1h_expr }} is not null
                then coalesce({{ write_5m_expr }}, 0) + coalesce({{ write_1h_expr }}, 0)
        end
    )
{%- endmacro %}

{# 5-minute cache writes: the split when given, else the whole write (the cheaper, default TTL) #}
{% macro cache_write_5m_tokens(total_expr, write_5m_expr, write_1h_expr) -%}
    case
        when {{ write_5m_expr }} is not null or {{ write_1h_expr }} is not null
            then coalesce({{ write_5m_expr }}, 0)
        else {{ total_expr }}
    end
{%- endmacro %}

{# 1-hour cache writes: only when the platform gives the split #}
{% macro cache_write_1h_tokens(total_expr, write_5m_expr, write_1h_expr) -%}
    case
        when {{ write_5m_expr }} is not null or {{ write_1h_expr }} is not null
            then coalesce({{ write_1h_expr }}, 0)
        when {{ total_expr }} is not null then 0
    end
{%- endmacro %}

{# the total input a request used (OpenTelemetry gen_ai.usage.input_tokens) #}
{% macro total_input_tokens(input_expr, cache_read_expr, cache_write_expr) -%}
    (coalesce({{ input_expr }}, 0) + coalesce({{ cache_read_expr }}, 0) + coalesce({{ cache_write_expr }}, 0))
{%- endmacro %}
