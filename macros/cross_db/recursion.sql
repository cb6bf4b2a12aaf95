{#- A recursive CTE that walks links (a node to its parent) from anchor rows, stopping at a node it
    has already walked, so a cycle in the links ends the walk instead of looping:
        <name> (<columns>) as (<anchor> union <step>)
    `anchor` is a select of `columns`; the step selects `step_columns` (the same columns, in order)
    `step_from` (a from clause joining <name> to the links), optionally `step_where`; `node` is the
    column that names the walked node and `step_node` its expression in the step. Use it inside
    `with recursive`. DuckDB and PostgreSQL stop on a repeated row (`union`); Spark has no `union`
    in recursive CTEs, so each row carries the nodes of its walk and the step never re-enters one.
    The walk is meant for links with one parent per node from one anchor per walk (a thread), where
    both give the same set of rows. -#}
{% macro recursive_walk(name, columns, anchor, step_columns, step_from, node, step_node, step_where=none) -%}
    {{ return(adapter.dispatch('recursive_walk', 'ai_conversations')(
        name, columns, anchor, step_columns, step_from, node, step_node, step_where
    )) }}
{%- endmacro %}

{% macro default__recursive_walk(name, columns, anchor, step_columns, step_from, node, step_node, step_where) -%}
{{ name }} ({{ columns | join(', ') }}) as (

    {{ anchor }}

    union

    select
        {{ step_columns | join(',\n        ') }}
    {{ step_from }}
    {%- if step_where %}
    where {{ step_where }}
    {%- endif %}

)
{%- endmacro %}

{% macro spark__recursive_walk(name, columns, anchor, step_columns, step_from, node, step_node, step_where) -%}
{{ name }} ({{ columns | join(', ') }}, walked_nodes) as (

    select
        anchor_rows.*,
        array(anchor_rows.{{ node }}) as walked_nodes
    from ({{ anchor }}) as anchor_rows

    union all

    select
        {{ step_columns | join(',\n        ') }},
        array_append({{ name }}.walked_nodes, {{ step_node }}) as walked_nodes
    {{ step_from }}
    where
        not array_contains({{ name }}.walked_nodes, {{ step_node }})
        {%- if step_where %}
        and ({{ step_where }})
        {%- endif %}

)
{%- endmacro %}
