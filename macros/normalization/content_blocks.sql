{#- One content block of the unified schema as JSON text (DESIGN.md "Content blocks"): the `type`,
    then the kind's own fields in a fixed order, then any platform-specific `extra` fields. Every
    platform's stg_<platform>__content_blocks builds its block_json here, so the block shapes are
    defined once:
      text           text
      thinking       thinking
      tool_use       id, name, input (JSON)
      tool_result    tool_use_id, content, is_error
      image          (metadata only, in extra: never the bytes)
      code           language, text
      file_reference path
      unknown        original (JSON: the platform's block, kept whole)
    `fields` maps each of the kind's fields to a SQL expression; `extra` is a list of
    (key, expression) pairs; `extra_json_keys` names extra keys whose expression is JSON text. -#}
{% macro content_block(kind, fields={}, extra=[], extra_json_keys=[]) -%}
    {%- set shapes = {
        'text': ['text'],
        'thinking': ['thinking'],
        'tool_use': ['id', 'name', 'input'],
        'tool_result': ['tool_use_id', 'content', 'is_error'],
        'image': [],
        'code': ['language', 'text'],
        'file_reference': ['path'],
        'unknown': ['original'],
    } -%}
    {%- set json_fields = {'tool_use': ['input'], 'unknown': ['original']} -%}
    {%- if kind not in shapes -%}
        {{ exceptions.raise_compiler_error("content_block: unknown block kind '" ~ kind ~ "'") }}
    {%- endif -%}
    {%- if fields.keys() | list | sort != shapes[kind] | sort -%}
        {{ exceptions.raise_compiler_error(
            "content_block: a " ~ kind ~ " block takes the fields " ~ shapes[kind] | join(', ')
            ~ ", got " ~ fields.keys() | list | join(', ')
        ) }}
    {%- endif -%}
    {%- set pairs = [('type', "'" ~ kind ~ "'")] -%}
    {%- for key in shapes[kind] -%}
        {%- do pairs.append((key, fields[key])) -%}
    {%- endfor -%}
    {%- for pair in extra -%}
        {%- do pairs.append(pair) -%}
    {%- endfor -%}
    {{ json_object(pairs, json_keys=json_fields.get(kind, []) + extra_json_keys) }}
{%- endmacro %}
