{#- What the warehouse was built from, recorded at the end of a complete build (every
    conversation-level mart built first): each scope of the lake (macros/incremental.sql) with the
    raw record count this build read, and each conversation that scope holds with the fingerprint
    of its rows there (conversation_fingerprints; computed for the scopes this build recomputed,
    carried over for the others). The next build's base_lake__scopes compares its counts with
    these, and int_conversations_changed takes from here the conversations a changed scope held
    and what their rows were. A build that fails or stops before this model records
    nothing, so the next one recomputes everything since the last complete build. -#}

-- depends_on: {{ ref('conversations') }}
-- depends_on: {{ ref('messages') }}
-- depends_on: {{ ref('tool_calls') }}
-- depends_on: {{ ref('summaries') }}
-- depends_on: {{ ref('conversation_versions') }}
-- depends_on: {{ ref('duplicates') }}
-- depends_on: {{ ref('dead_letter_records') }}
-- depends_on: {{ ref('int_secret_findings_scanned') }}
-- depends_on: {{ ref('tool_usage') }}
-- depends_on: {{ ref('usage_blocks') }}
-- depends_on: {{ ref('usage_daily') }}
-- depends_on: {{ ref('usage_weekly') }}
-- depends_on: {{ ref('usage_monthly') }}
-- depends_on: {{ ref('usage_sessions') }}
-- depends_on: {{ ref('workspace_activity') }}
-- depends_on: {{ ref('source_format_versions') }}

{{ config(materialized='table') }}

{#- A build that does not run every model that reads the changed scopes (a --select), or every
    model that keeps its rows while the lake is unchanged (keep_while_lake_unchanged; each is a
    depends_on above, so one that fails skips this model), would record changes as taken in that
    some model never took in: it keeps the last complete build's record. -#}
{%- set skipped = [] %}
{%- if execute and flags.WHICH in ('run', 'build') %}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
        and node.package_name == project_name
        and (node.config.get('replace_scope') or node.config.get('keep_while_lake_unchanged')
            or node.name == 'base_lake__scopes')
        and node.unique_id not in selected_resources %}
        {%- do skipped.append(node.name) %}
    {%- endfor %}
{%- endif %}

{%- if skipped %}
{%- do log(
    'int_lake_scopes_built keeps the last complete build: this one skips ' ~ skipped | join(', '),
    info=true
) %}
{%- if load_relation(this) is not none %}
select * from {{ this }}
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as lake_scope_id,
    cast(null as {{ dbt.type_string() }}) as platform,
    cast(null as {{ dbt.type_bigint() }}) as raw_records,
    cast(null as {{ dbt.type_string() }}) as conversation_id,
    cast(null as {{ dbt.type_string() }}) as content_fingerprint
where 1 = 0
{%- endif %}
{%- elif keep_while_lake_unchanged() %}

-- no scope of the lake changed since the last complete build: its record stands
select * from {{ this }}

{%- else %}

with

scopes as (

    select
        lake_scope_id,
        platform,
        raw_records
    from {{ ref('base_lake__scopes') }}

),

{#- the fingerprints of the scopes this build did not recompute are the last build's -#}
{%- set carried = execute and not flags.FULL_REFRESH
    and relation_has_column(load_relation(this), 'content_fingerprint') %}

holdings as (

    {%- if carried %}
    {{ conversation_fingerprints(changed_only=true) }}
    union all
    select
        held.lake_scope_id,
        held.conversation_id,
        held.content_fingerprint
    from {{ this }} as held
    where
        held.conversation_id is not null
        and held.lake_scope_id in (
            select unchanged_scopes.lake_scope_id
            from {{ ref('base_lake__scopes') }} as unchanged_scopes
            where not unchanged_scopes.is_changed
        )
    {%- else %}
    {{ conversation_fingerprints(changed_only=false) }}
    {%- endif %}

)

select
    scopes.lake_scope_id,
    scopes.platform,
    scopes.raw_records,
    holdings.conversation_id,
    holdings.content_fingerprint
from scopes
left join holdings
    on scopes.lake_scope_id = holdings.lake_scope_id
{%- endif %}
