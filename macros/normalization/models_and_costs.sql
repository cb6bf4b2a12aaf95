{#- Model names and cost estimation. -#}

{# canonical model name: lower case, without provider prefixes (anthropic/, us.anthropic.,
   openai/, azure/, bedrock/ ...), without version suffixes (-v1:0, @20250929, -20250929,
   -2024-08-06) so that it can be matched by prefix against the pricing seed #}
{% macro normalize_model_name(expr) -%}
    nullif(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        lower(trim({{ expr }})),
                        '^([a-z0-9_-]+/)+', ''
                    ),
                    '^(global|us|eu|apac|jp|au)\.', ''
                ),
                '^(anthropic|openai|meta|mistral|google)\.', ''
            ),
            '(-v[0-9]+(:[0-9]+)?|@[0-9]{8}|-[0-9]{8}|-[0-9]{4}-[0-9]{2}-[0-9]{2})+$', ''
        ),
        ''
    )
{%- endmacro %}

{# USD cost of one API call from disjoint token counts and a pricing row (prices per million).
   Above the long-context threshold (total input), the long-context input/output prices apply,
   and the cache prices scale with the input price as providers do. #}
{% macro estimated_cost(tokens, price) -%}
    {%- set total_in = total_input_tokens(tokens.input, tokens.cache_read, tokens.cache_write) -%}
    {%- set is_long = "(" ~ price ~ ".long_context_threshold_tokens is not null and "
        ~ total_in ~ " > " ~ price ~ ".long_context_threshold_tokens)" -%}
    {%- set factor = "case when " ~ is_long ~ " then coalesce(" ~ price ~ ".long_context_input_per_mtok / nullif("
        ~ price ~ ".input_per_mtok, 0), 1) else 1 end" -%}
    (
        (
            coalesce({{ tokens.input }}, 0) * case when {{ is_long }}
                then {{ price }}.long_context_input_per_mtok else {{ price }}.input_per_mtok end
            + coalesce({{ tokens.output }}, 0) * case when {{ is_long }}
                then coalesce({{ price }}.long_context_output_per_mtok, {{ price }}.output_per_mtok)
                else {{ price }}.output_per_mtok end
            + coalesce({{ tokens.cache_read }}, 0) * coalesce({{ price }}.cache_read_per_mtok, 0) * {{ factor }}
            + coalesce({{ tokens.cache_write_5m }}, 0) * coalesce({{ price }}.cache_write_5m_per_mtok, 0) * {{ factor }}
            + coalesce({{ tokens.cache_write_1h }}, 0) * coalesce({{ price }}.cache_write_1h_per_mtok, 0) * {{ factor }}
        ) / 1000000.0
    )
{%- endmacro %}
