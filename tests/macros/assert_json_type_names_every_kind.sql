{#- json_type names every JSON kind in jsonb_typeof's vocabulary on every adapter (object, array,
    string, number, boolean, null; a missing path is null), also inside another CASE, where the
    DuckDB version must still parse each text once. Returns the failures. -#}

with

cases as (

    select '{"a": {"b": [1]}}' as json_text, 'object' as expected_root, 'array' as expected_at_a_b
    union all
    select '[1, 2]', 'array', null
    union all
    select '"text"', 'string', null
    union all
    select '-1.5', 'number', null
    union all
    select '42', 'number', null
    union all
    select '18446744073709551615', 'number', null
    union all
    select '2.5e10', 'number', null
    union all
    select 'true', 'boolean', null
    union all
    select 'null', 'null', null
    union all
    select '{"a": {"b": "x"}}', 'object', 'string'
    union all
    select '{"a": {"b": null}}', 'object', 'null'
    union all
    select '{"a": {"b": 7}}', 'object', 'number'
    union all
    select '{"a": {"c": 7}}', 'object', null

),

typed as (

    select
        json_text,
        expected_root,
        expected_at_a_b,
        {{ json_type('json_text') }} as root_type,
        case
            when json_text is not null then {{ json_type('json_text', ['a', 'b']) }}
        end as type_at_a_b
    from cases

)

select *
from typed
where
    root_type is null
    or root_type != expected_root
    or coalesce(type_at_a_b, '-') != coalesce(expected_at_a_b, '-')
