{#- JSON access. Input is always JSON *text*; paths are lists of keys (strings) and indexes (ints).
    Keys are always quoted, so keys with dots or spaces are safe. default__ raises: an adapter that
    has no implementation fails at compile time instead of returning wrong data.
    JSON values come back as compact text (no spaces, as DuckDB writes it) on every adapter. Key
    order inside objects read from raw JSON is the document's on DuckDB and jsonb's on PostgreSQL
    (shorter keys first) and sorted by key on Spark (VARIANT): compare JSON semantically across
    adapters, never as text (a unit test that expects JSON text uses keys that sort the same in
    all three orders). Objects built with json_object keep the order of their pairs everywhere.
    Spark reads JSON through VARIANT (try_parse_json, variant_get, try_variant_get): a value that does
    not parse is null, never an error. -#}

{% macro _json_path_duckdb(path) -%}
    '$
    {%- for p in path -%}
        {%- if p is number -%}[{{ p }}]{%- else -%}."{{ p }}"{%- endif -%}
    {%- endfor -%}'
{%- endmacro %}

{#- The JSON at path of a JSON text column, to cast or walk: the column itself for the empty path
    (a cast of the text parses it once; json_extract would parse it, then the cast again: 351,035
    Claude Code content blocks, 1.8 -> 1.1 s of CPU). -#}
{% macro _json_at_duckdb(column, path) -%}
    {%- if path | length == 0 -%}
        {{ column }}
    {%- else -%}
        json_extract({{ column }}, {{ _json_path_duckdb(path) }})
    {%- endif -%}
{%- endmacro %}

{% macro _json_path_postgres(path) -%}
    '{ {{- path | map('string') | map('tojson') | join(',') -}} }'
{%- endmacro %}

{# Spark's variant path: keys in brackets and double quotes, so dots and spaces are safe #}
{% macro _json_path_spark(path) -%}
    '$
    {%- for p in path -%}
        {%- if p is number -%}[{{ p }}]{%- else -%}["{{ p }}"]{%- endif -%}
    {%- endfor -%}'
{%- endmacro %}

{# the VARIANT at path of a JSON text column (null when the text does not parse or the path is
   missing); a negative index counts from the end (-1: the last element), through try_element_at,
   since a variant path takes none #}
{% macro _json_variant_spark(column, path) -%}
    {%- set ns = namespace(expr='try_parse_json(' ~ column ~ ')', segment=[]) -%}
    {%- for p in path -%}
        {%- if p is number and p < 0 -%}
            {%- set ns.expr = 'try_element_at(try_variant_get(' ~ ns.expr ~ ', ' ~ _json_path_spark(ns.segment)
                ~ ", 'array<variant>'), " ~ p ~ ')' -%}
            {%- set ns.segment = [] -%}
        {%- else -%}
            {%- set ns.segment = ns.segment + [p] -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if ns.segment | length == 0 -%}
        {{ ns.expr }}
    {%- else -%}
        variant_get({{ ns.expr }}, {{ _json_path_spark(ns.segment) }})
    {%- endif -%}
{%- endmacro %}

{# the array at path as array<variant>; null when the value is not an array #}
{% macro _json_array_spark(column, path) -%}
    try_variant_get({{ _json_variant_spark(column, path) }}, '$', 'array<variant>')
{%- endmacro %}

{% macro _not_implemented(name) -%}
    {{ exceptions.raise_compiler_error(name ~ " is not implemented for adapter " ~ target.type) }}
{%- endmacro %}


{# a scalar at path as text (objects and arrays come back as JSON text); missing or JSON null -> null #}
{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text', 'ai_conversations')(column, path)) }}
{%- endmacro %}
{% macro default__json_text(column, path) -%}{{ _not_implemented('json_text') }}{%- endmacro %}
{% macro duckdb__json_text(column, path) -%}
    json_extract_string({{ column }}, {{ _json_path_duckdb(path) }})
{%- endmacro %}
{% macro postgres__json_text(column, path) -%}
    (({{ column }})::jsonb #>> {{ _json_path_postgres(path) }})
{%- endmacro %}
{% macro spark__json_text(column, path) -%}
    {%- if path | select('number') | select('lt', 0) | list | length == 0 -%}
        variant_get(try_parse_json({{ column }}), {{ _json_path_spark(path) }}, 'string')
    {%- else -%}
        variant_get({{ _json_variant_spark(column, path) }}, '$', 'string')
    {%- endif -%}
{%- endmacro %}


{# the JSON value at path as JSON text (a string stays quoted); missing -> null #}
{% macro json_value(column, path) -%}
    {{ return(adapter.dispatch('json_value', 'ai_conversations')(column, path)) }}
{%- endmacro %}
{% macro default__json_value(column, path) -%}{{ _not_implemented('json_value') }}{%- endmacro %}
{% macro duckdb__json_value(column, path) -%}
    cast(json_extract({{ column }}, {{ _json_path_duckdb(path) }}) as varchar)
{%- endmacro %}
{% macro postgres__json_value(column, path) -%}
    {{ target.schema }}.compact_json(({{ column }})::jsonb #> {{ _json_path_postgres(path) }})
{%- endmacro %}
{% macro spark__json_value(column, path) -%}
    to_json({{ _json_variant_spark(column, path) }})
{%- endmacro %}


{# object | array | string | number | boolean | null (jsonb_typeof vocabulary); missing -> null #}
{% macro json_type(column, path=[]) -%}
    {{ return(adapter.dispatch('json_type', 'ai_conversations')(column, path)) }}
{%- endmacro %}
{% macro default__json_type(column, path) -%}{{ _not_implemented('json_type') }}{%- endmacro %}
{#- DuckDB: json_type is called once. A `case json_type(...) when ... end` repeats its operand in
    every branch, and inside another CASE (a guarded parse) DuckDB cannot share the repeats: each
    one parsed the whole document again (at 1 GB, 8.8 s of CPU for Claude Code's lines, against
    2.8 s with one call). -#}
{% macro duckdb__json_type(column, path) -%}
    regexp_replace(
        regexp_replace(lower(json_type({{ column }}, {{ _json_path_duckdb(path) }})), '^varchar$', 'string'),
        '^(u?bigint|double|hugeint)$',
        'number'
    )
{%- endmacro %}
{% macro postgres__json_type(column, path) -%}
    jsonb_typeof(({{ column }})::jsonb #> {{ _json_path_postgres(path) }})
{%- endmacro %}
{% macro spark__json_type(column, path) -%}
    case regexp_extract(schema_of_variant({{ _json_variant_spark(column, path) }}), '^[A-Z]+', 0)
        when 'OBJECT' then 'object'
        when 'ARRAY' then 'array'
        when 'STRING' then 'string'
        when 'BOOLEAN' then 'boolean'
        when 'VOID' then 'null'
        when 'BIGINT' then 'number'
        when 'INT' then 'number'
        when 'SMALLINT' then 'number'
        when 'TINYINT' then 'number'
        when 'DECIMAL' then 'number'
        when 'DOUBLE' then 'number'
        when 'FLOAT' then 'number'
    end
{%- endmacro %}


{# true when the text parses as JSON #}
{% macro json_is_valid(column) -%}
    {{ return(adapter.dispatch('json_is_valid', 'ai_conversations')(column)) }}
{%- endmacro %}
{% macro default__json_is_valid(column) -%}{{ _not_implemented('json_is_valid') }}{%- endmacro %}
{% macro duckdb__json_is_valid(column) -%}
    coalesce(json_valid({{ column }}), false)
{%- endmacro %}
{% macro postgres__json_is_valid(column) -%}
    {{ target.schema }}.is_valid_json({{ column }})
{%- endmacro %}
{% macro spark__json_is_valid(column) -%}
    (try_parse_json({{ column }}) is not null)
{%- endmacro %}


{# a lateral relation (element_index 0-based, element_json text) over the array at path; use after
   `cross join lateral`. A value that is not an array yields no rows. #}
{% macro json_each_element(column, path, alias) -%}
    {{ return(adapter.dispatch('json_each_element', 'ai_conversations')(column, path, alias)) }}
{%- endmacro %}
{% macro default__json_each_element(column, path, alias) -%}
    {{ _not_implemented('json_each_element') }}
{%- endmacro %}
{% macro duckdb__json_each_element(column, path, alias) -%}
    (
        select
            cast(je.key as bigint) as element_index,
            cast(je.value as varchar) as element_json
        from json_each(
            case
                when json_type({{ column }}, {{ _json_path_duckdb(path) }}) = 'ARRAY'
                    then {{ _json_at_duckdb(column, path) }}
            end
        ) as je
    ) as {{ alias }}
{%- endmacro %}
{% macro postgres__json_each_element(column, path, alias) -%}
    (
        select
            je.ordinality - 1 as element_index,
            {{ target.schema }}.compact_json(je.value) as element_json
        from jsonb_array_elements(
            case
                when jsonb_typeof(({{ column }})::jsonb #> {{ _json_path_postgres(path) }}) = 'array'
                    then ({{ column }})::jsonb #> {{ _json_path_postgres(path) }}
            end
        ) with ordinality as je (value, ordinality)
    ) as {{ alias }}
{%- endmacro %}
{% macro spark__json_each_element(column, path, alias) -%}
    (
        select
            cast(je.pos as bigint) as element_index,
            to_json(je.col) as element_json
        from (select posexplode({{ _json_array_spark(column, path) }})) as je (pos, col)
    ) as {{ alias }}
{%- endmacro %}


{# aggregate JSON texts into one JSON array text, in order; no rows -> '[]' #}
{% macro json_array_agg(json_expr, order_by) -%}
    {{ return(adapter.dispatch('json_array_agg', 'ai_conversations')(json_expr, order_by)) }}
{%- endmacro %}
{% macro default__json_array_agg(json_expr, order_by) -%}
    {{ _not_implemented('json_array_agg') }}
{%- endmacro %}
{% macro duckdb__json_array_agg(json_expr, order_by) -%}
    coalesce(
        cast(to_json(list(cast({{ json_expr }} as json) order by {{ order_by }})) as varchar),
        '[]'
    )
{%- endmacro %}
{% macro postgres__json_array_agg(json_expr, order_by) -%}
    ('[' || coalesce(
        string_agg({{ target.schema }}.compact_json(({{ json_expr }})::jsonb), ',' order by {{ order_by }}), ''
    ) || ']')
{%- endmacro %}
{# Spark aggregates ignore ORDER BY: collect (order key, text) pairs, sort them, keep the texts #}
{% macro spark__json_array_agg(json_expr, order_by) -%}
    concat('[', coalesce(array_join(transform(
        array_sort(collect_list(named_struct('sort_key', struct({{ order_by }}), 'json', to_json(try_parse_json({{ json_expr }}))))),
        x -> x.json
    ), ','), ''), ']')
{%- endmacro %}


{# build a JSON object text from a list of (key, sql expression) pairs; null values stay JSON null.
   Expressions that already hold JSON text go in json_keys so they nest instead of being quoted. #}
{% macro json_object(pairs, json_keys=[]) -%}
    {{ return(adapter.dispatch('json_object', 'ai_conversations')(pairs, json_keys)) }}
{%- endmacro %}
{% macro default__json_object(pairs, json_keys) -%}{{ _not_implemented('json_object') }}{%- endmacro %}
{% macro duckdb__json_object(pairs, json_keys) -%}
    cast(json_object(
        {%- for key, expr in pairs %}
        '{{ key }}', {% if key in json_keys %}cast({{ expr }} as json){% else %}{{ expr }}{% endif %}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}
{% macro postgres__json_object(pairs, json_keys) -%}
    ('{'
        {%- for key, expr in pairs %}
        || '{{ key | tojson }}:' || coalesce(
            {%- if key in json_keys %}({{ expr }})::text
            {%- elif expr | trim | lower == 'null' %}null
            {%- elif (expr | trim).startswith("'") %}{{ target.schema }}.compact_json(to_jsonb(cast({{ expr }} as text)))
            {%- else %}{{ target.schema }}.compact_json(to_jsonb({{ expr }})){% endif %}, 'null')
        {%- if not loop.last %} || ','{% endif %}
        {%- endfor %}
    || '}')
{%- endmacro %}
{# Spark: the object's text put together pair by pair, so the pairs keep their order and JSON
   values (json_keys) nest as they are; a scalar is written by to_json (of a one-field struct,
   ignoreNullFields off, the field's value cut out) #}
{% macro spark__json_object(pairs, json_keys) -%}
    concat('{'
        {%- for key, expr in pairs %},
        '{{ key | tojson }}:',
        {%- if key in json_keys %}
        coalesce({{ expr }}, 'null')
        {%- elif expr | trim | lower == 'null' %}
        'null'
        {%- else %}
        substr(to_json(named_struct('v', {{ expr }}), map('ignoreNullFields', 'false')), 6,
            length(to_json(named_struct('v', {{ expr }}), map('ignoreNullFields', 'false'))) - 6)
        {%- endif %}
        {%- if not loop.last %}, ','{% endif %}
        {%- endfor %},
    '}')
{%- endmacro %}


{# the values of `key` in the elements of the array at path, joined by a separator (nulls skipped);
   a value that is not an array -> null #}
{% macro json_array_join_key(column, path, key, separator) -%}
    {{ return(adapter.dispatch('json_array_join_key', 'ai_conversations')(column, path, key, separator)) }}
{%- endmacro %}
{% macro default__json_array_join_key(column, path, key, separator) -%}
    {{ _not_implemented('json_array_join_key') }}
{%- endmacro %}
{% macro duckdb__json_array_join_key(column, path, key, separator) -%}
    case
        when json_type({{ column }}, {{ _json_path_duckdb(path) }}) = 'ARRAY'
            then list_aggregate(
                json_extract_string({{ column }}, {{ _json_path_duckdb(path)[:-1] }}[*]."{{ key }}"'),
                'string_agg',
                {{ separator }}
            )
    end
{%- endmacro %}
{% macro postgres__json_array_join_key(column, path, key, separator) -%}
    case
        when jsonb_typeof(({{ column }})::jsonb #> {{ _json_path_postgres(path) }}) = 'array'
            then (
                select string_agg(je.value ->> '{{ key }}', {{ separator }} order by je.ordinality)
                from jsonb_array_elements(({{ column }})::jsonb #> {{ _json_path_postgres(path) }})
                    with ordinality as je (value, ordinality)
            )
    end
{%- endmacro %}
{% macro spark__json_array_join_key(column, path, key, separator) -%}
    case
        when exists({{ _json_array_spark(column, path) }}, e -> variant_get(e, '$["{{ key }}"]', 'string') is not null)
            then array_join(
                transform({{ _json_array_spark(column, path) }}, e -> variant_get(e, '$["{{ key }}"]', 'string')),
                {{ separator }}
            )
    end
{%- endmacro %}


{# the number of elements of the array at path; a value that is not an array (or missing) -> null #}
{% macro json_array_length(column, path=[]) -%}
    {{ return(adapter.dispatch('json_array_length', 'ai_conversations')(column, path)) }}
{%- endmacro %}
{% macro default__json_array_length(column, path) -%}
    {{ _not_implemented('json_array_length') }}
{%- endmacro %}
{% macro duckdb__json_array_length(column, path) -%}
    case
        when json_type({{ column }}, {{ _json_path_duckdb(path) }}) = 'ARRAY'
            then cast(json_array_length({{ column }}, {{ _json_path_duckdb(path) }}) as bigint)
    end
{%- endmacro %}
{% macro postgres__json_array_length(column, path) -%}
    case
        when jsonb_typeof(({{ column }})::jsonb #> {{ _json_path_postgres(path) }}) = 'array'
            then cast(jsonb_array_length(({{ column }})::jsonb #> {{ _json_path_postgres(path) }}) as bigint)
    end
{%- endmacro %}
{% macro spark__json_array_length(column, path) -%}
    cast(array_size({{ _json_array_spark(column, path) }}) as bigint)
{%- endmacro %}


{# `relation` with one row per element of the array at path in `column` (a column of relation),
   the element as `<alias>.element_index` and `<alias>.element_json`: the FROM item to use when one
   record holds a large array (a run record lists every file it read). Elsewhere
   `cross join lateral json_each_element(...)`, which it is on PostgreSQL and Spark. A value that
   is not an array yields no rows. #}
{% macro json_elements_from(relation, column, path, alias) -%}
    {{ return(adapter.dispatch('json_elements_from', 'ai_conversations')(relation, column, path, alias)) }}
{%- endmacro %}
{% macro default__json_elements_from(relation, column, path, alias) -%}
    {{ relation }}
    cross join lateral {{ json_each_element(column, path, alias) }}
{%- endmacro %}
{#- DuckDB: the array unnested in the select list of a subquery (generate_subscripts numbers
    the elements), named like the relation, each element a struct. A lateral relation makes DuckDB
    pair every element with the whole array before it projects: 18,000 elements of a 4 MB array
    need ~70 GB. -#}
{% macro duckdb__json_elements_from(relation, column, path, alias) -%}
    {%- set items -%}
        cast(
            case
                when json_type({{ column }}, {{ _json_path_duckdb(path) }}) = 'ARRAY'
                    then {{ _json_at_duckdb(column, path) }}
            end as json []
        )
    {%- endset %}
    (
        select
            unnested.*,
            {
                'element_index': unnested.element_position - 1,
                'element_json': unnested.element_text
            } as {{ alias }}
        from (
            select
                {{ relation }}.*,
                coalesce(cast(unnest({{ items }}) as varchar), 'null') as element_text,
                generate_subscripts({{ items }}, 1) as element_position
            from {{ relation }}
        ) as unnested
    ) as {{ relation }}
{%- endmacro %}


{# a lateral relation (member_key text, member_json text) over the members of the object at path,
   in document order where the engine keeps it; use after `cross join lateral`. A value that is not
   an object yields no rows. #}
{% macro json_each_member(column, path, alias) -%}
    {{ return(adapter.dispatch('json_each_member', 'ai_conversations')(column, path, alias)) }}
{%- endmacro %}
{% macro default__json_each_member(column, path, alias) -%}
    {{ _not_implemented('json_each_member') }}
{%- endmacro %}
{% macro duckdb__json_each_member(column, path, alias) -%}
    (
        select
            cast(je.key as varchar) as member_key,
            cast(je.value as varchar) as member_json
        from json_each(
            case
                when json_type({{ column }}, {{ _json_path_duckdb(path) }}) = 'OBJECT'
                    then json_extract({{ column }}, {{ _json_path_duckdb(path) }})
            end
        ) as je
    ) as {{ alias }}
{%- endmacro %}
{% macro postgres__json_each_member(column, path, alias) -%}
    (
        select
            je.key as member_key,
            {{ target.schema }}.compact_json(je.value) as member_json
        from jsonb_each(
            case
                when jsonb_typeof(({{ column }})::jsonb #> {{ _json_path_postgres(path) }}) = 'object'
                    then ({{ column }})::jsonb #> {{ _json_path_postgres(path) }}
            end
        ) as je (key, value)
    ) as {{ alias }}
{%- endmacro %}
{% macro spark__json_each_member(column, path, alias) -%}
    (
        select
            je.key as member_key,
            to_json(je.value) as member_json
        from variant_explode(
            case
                when {{ json_type(column, path) }} = 'object' then {{ _json_variant_spark(column, path) }}
            end
        ) as je
    ) as {{ alias }}
{%- endmacro %}


{#- `select *` from `relation`, plus one column per entry of `texts` (alias -> path): the scalar
    at that path of the JSON text `column`, as json_text gives it. DuckDB parses each document
    once for all the paths (json_extract_string with a list of paths; one call per path parses
    the document again each time: measured 11x slower at 20 paths over the Claude Code lines of a
    1 GB corpus). Elsewhere one json_text per path. -#}
{% macro select_json_texts(relation, column, texts) -%}
    {{ return(adapter.dispatch('select_json_texts', 'ai_conversations')(relation, column, texts)) }}
{%- endmacro %}
{% macro default__select_json_texts(relation, column, texts) -%}
    select
        *,
        {%- for alias, path in texts.items() %}
        {{ json_text(column, path) }} as {{ alias }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}
{% macro duckdb__select_json_texts(relation, column, texts) -%}
    select
        * exclude (json_texts),
        {%- for alias, path in texts.items() %}
        json_texts[{{ loop.index }}] as {{ alias }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            json_extract_string({{ column }}, [
                {%- for path in texts.values() %}
                {{ _json_path_duckdb(path) }}{{ ',' if not loop.last }}
                {%- endfor %}
            ]) as json_texts
        from {{ relation }}
    ) as with_json_texts
{%- endmacro %}
