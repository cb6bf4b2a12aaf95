{#- Continue (continue.dev) helpers. -#}

{# a `file://` URI as a local path (percent-escapes of space, colon, hash and percent decoded);
   any other text (a plain path, a vscode-remote:// or http URI) unchanged #}
{% macro continue_uri_to_path(expr) -%}
    case
        when {{ expr }} like 'file://%'
            then replace(replace(replace(replace(replace(
                substr({{ expr }}, 8), '%20', ' '
            ), '%3A', ':'), '%3a', ':'), '%23', '#'), '%25', '%')
        else {{ expr }}
    end
{%- endmacro %}
