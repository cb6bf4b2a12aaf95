{#- Incremental builds: a re-run recomputes what the lake landed since the last complete build.

    1. base_lake__scopes counts the raw records of every *scope* (lake_scope_id: a Claude Code or
       ChatGPT file, a Copilot Chat session, a Roo Code or Cline task folder, a Cline SDK session;
       see lake_scope_key) and compares the counts with the last complete build's
       (int_lake_scopes_built). Raw rows are immutable and only ever added, so a scope changed
       exactly when its count did (a history index item counts by content: lake_index_item_key).
    2. Every base_<platform>__records view keeps only the records of changed scopes
       (lake_scope_filter), so the staging views parse nothing else.
    3. The models that read staging (int_*_unioned, stg_claude_code__thread_links) replace the rows
       of the changed scopes (incremental_by_lake_scope).
    4. int_conversations_changed lists the conversations those scopes hold or held before whose
       rows there changed (conversation_fingerprints), and every conversation that shares a
       message, an API response or a tool call id with one of them; the conversation-level models
       replace exactly those (incremental_by_conversation).
    5. int_lake_scopes_built, built last, records the counts and the fingerprints: a build that
       fails or stops early records nothing, so the next one recomputes what it missed.

    Spark has no merge without Delta or Iceberg: there incremental_materialization() is `table`,
    no filter applies and every model is rebuilt from the lake, as before. -#}


{#- The materialization of the incremental models on this adapter. -#}
{% macro incremental_materialization() -%}
    {{ return(adapter.dispatch('incremental_materialization', 'ai_conversations')()) }}
{%- endmacro %}
{% macro default__incremental_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}
{% macro spark__incremental_materialization() -%}
    {{ return('table') }}
{%- endmacro %}


{#- True when this adapter builds incrementally (the scope filters apply). -#}
{% macro builds_incrementally() -%}
    {{ return(incremental_materialization() == 'incremental') }}
{%- endmacro %}


{#- SQL giving the key of a raw (or staging) row's lake scope within `platform` (a name, known
    when the SQL is written), from its source file's URI. Every record of one key is recomputed
    together, so records that a staging model joins, windows or aggregates together must share a
    key, or be reachable through a lookup scope:
    - Claude Code, ChatGPT: the source file (their staging reads each file on its own).
    - Copilot Chat: a session (`.../chatSessions/<id>` or `.../emptyWindowChatSessions/<id>`: the
      `.json` and the `.jsonl` of one session are read together); a workspace's `workspace.json`
      is the lookup scope `.../workspaceStorage/<hash>/` (see base_lake__scopes).
    - Roo Code, Cline: a task folder (`.../tasks/<id>`, canonical file names only); a Cline SDK
      session folder (`.../sessions/<id>`: its `<id>.json` and `<id>.messages.json`).
    - Anything else, and every other platform: '' (unscoped). A platform that holds an unscoped
      record (a copied task file, Continue's index, OpenAI API logs, an OTel export) is recomputed
      whole when anything of it changes; the items of Cline's state/taskHistory.json are unscoped
      too, but count in their tasks' scopes instead (lake_index_item_key).
    Backslashes of Windows paths count as slashes. -#}
{% macro lake_scope_key(platform, source_uri_expr) -%}
    {%- set path = "replace(" ~ source_uri_expr ~ ", chr(92), '/')" -%}
    {%- if platform in ('claude_code', 'chatgpt') -%}
    {{ source_uri_expr }}
    {%- elif platform == 'copilot_chat' -%}
    coalesce(
        {{ regex_extract(path, '^(.*/workspaceStorage/[^/]+/)workspace[.]json$') }},
        {{ regex_extract(path, '^(.*/(chatSessions|emptyWindowChatSessions)/[^/.]+)[.]jsonl?$') }},
        ''
    )
    {%- elif platform in ('roo_code', 'cline') -%}
    {%- set session = regex_extract(path, '^.*/sessions/([^/]+)/[^/]+$') -%}
    coalesce(
        {{ regex_extract(
            path,
            '^(.*/tasks/[^/]+)/(ui_messages|api_conversation_history|claude_messages|task_metadata|history_item)[.]json$'
        ) }},
        case
            when {{ file_name(path) }}
                in ({{ session }} || '.json', {{ session }} || '.messages.json')
                then {{ regex_extract(path, '^(.*/sessions/[^/]+)/[^/]+$') }}
        end,
        ''
    )
    {%- else -%}
    ''
    {%- endif -%}
{%- endmacro %}


{#- SQL giving, for a raw record that is an item of a platform's history index, the key of the
    scope the item describes; null for every other record. Cline (and a Roo Code fork that keeps
    one) writes `state/taskHistory.json`, one record per HistoryItem, rewritten whole, so landed
    again, on every task it adds or updates. Its records are unscoped (lake_scope_key ''), but they
    do not make the platform recomputed whole: base_lake__scopes counts each item in its task's
    scope (`.../tasks/<id>`) by content, so a task is recomputed when its item changed, and the
    index itself is read again whenever any of the platform's scopes changed. -#}
{% macro lake_index_item_key(platform, source_uri_expr, record_kind_expr, record_locator_expr,
    raw_text_expr) -%}
    {%- set path = "replace(" ~ source_uri_expr ~ ", chr(92), '/')" -%}
    {%- if lake_platform_has_index(platform) -%}
    case
        when
            {{ record_kind_expr }} = 'history_item'
            and {{ record_locator_expr }} != 'document'
            and {{ regex_extract(path, '^(.*)/state/taskHistory[.]json$') }} is not null
            and {{ json_is_valid(raw_text_expr) }}
            then {{ regex_extract(path, '^(.*)/state/taskHistory[.]json$') }} || '/tasks/'
            || {{ json_text(raw_text_expr, ['id']) }}
    end
    {%- else -%}
    cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}


{#- True when `platform` may hold history index items (lake_index_item_key). -#}
{% macro lake_platform_has_index(platform) -%}
    {{ return(platform in ('roo_code', 'cline')) }}
{%- endmacro %}


{#- SQL naming a raw (or staging) row's lake scope: `<platform>|<lake_scope_key>`. -#}
{% macro lake_scope_id(platform_expr, source_uri_expr) -%}
    {{ platform_expr }} || '|' || case {{ platform_expr }}
        {%- for platform in var('unified_platforms') %}
        when '{{ platform }}' then {{ lake_scope_key(platform, source_uri_expr) }}
        {%- endfor %}
        else ''
    end
{%- endmacro %}


{#- The previous complete build's scopes (int_lake_scopes_built), read without ref: it is built at
    the end of the build that reads it here at the start. None when there is none yet. -#}
{% macro lake_scopes_built_relation() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_lake_scopes_built'
    )) }}
{%- endmacro %}


{#- True, in base_lake__scopes during a run or build that builds incrementally (not a
    --full-refresh, not Spark, which would read the table it replaces), when no raw record landed
    since its last build: every platform's raw record count (a count the Parquet footers
    answer) equals the sum of its scopes' path_records there. Raw records are only ever added, so
    its scope counts stand, and the build does not read the whole lake to count them again (the
    changes are still taken against the last complete build's, int_lake_scopes_built). -#}
{% macro lake_scope_counts_carried() -%}
    {%- if not execute or flags.WHICH not in ('run', 'build') or flags.FULL_REFRESH
        or not builds_incrementally() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set previous = load_relation(this) -%}
    {%- if previous is none or not relation_has_column(previous, 'path_records')
        or not relation_has_column(previous, 'unindexed_records') -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set differing -%}
        select count(*)
        from (
            {%- for platform in var('unified_platforms') %}
            select '{{ platform }}' as platform, count(*) as raw_records
            from {{ source('raw', platform) }}
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        ) as landed
        full outer join (
            select platform, sum(path_records) as raw_records
            from {{ previous }}
            group by 1
        ) as counted
            on landed.platform = counted.platform
        where coalesce(landed.raw_records, 0) != coalesce(counted.raw_records, 0)
    {%- endset -%}
    {%- set carried = run_query(differing).columns[0].values()[0] == 0 -%}
    {%- if carried -%}
        {%- do log(
            this.identifier ~ ': no raw record landed since its last build, its scope counts stand',
            info=true
        ) -%}
    {%- endif -%}
    {{ return(carried) }}
{%- endmacro %}


{#- The platforms with a changed scope in this build (base_lake__scopes), at run time. -#}
{% macro lake_changed_platforms() -%}
    {%- set result = run_query(
        'select distinct platform from ' ~ ref('base_lake__scopes') ~ ' where is_changed'
    ) -%}
    {{ return(result.columns[0].values() | list) }}
{%- endmacro %}


{#- True when a table model rebuilt whole on every build can keep what it holds instead: a run or
    build that builds incrementally (not a --full-refresh, not Spark) in which no scope of the lake
    changed since the last complete build (base_lake__scopes), of a model that exists already. Its
    inputs are then what they were at that build, which built it: int_lake_scopes_built records
    a build only when every model marked here ran (the mark is the config
    `keep_while_lake_unchanged`), and it depends on each of them, so one that failed records
    nothing either. As for every incremental model, a seed or var change needs a --full-refresh.
    Use it as `{% if keep_while_lake_unchanged() %} select * from {{ this }} {% else %} ...`: the
    table materialization (kept_tables.sql) then leaves the table as it is, without copying it.
    A model whose kept rows recompute a column (usage_blocks: which block is active now) passes
    as_is=false, and its table is rebuilt from its own rows. -#}
{% macro keep_while_lake_unchanged(as_is=true) -%}
    {%- set scopes = ref('base_lake__scopes') -%}
    {%- do config(keep_while_lake_unchanged=true, kept_as_is=as_is) -%}
    {{ return(not flags.FULL_REFRESH and load_relation(this) is not none and lake_unchanged()) }}
{%- endmacro %}


{#- True during a run or build that builds incrementally when no scope of the lake changed since
    the last complete build (base_lake__scopes, built earlier in the same run, marks none). -#}
{% macro lake_unchanged() -%}
    {%- set scopes = ref('base_lake__scopes') -%}
    {%- if not execute or flags.WHICH not in ('run', 'build') or not builds_incrementally()
        or load_relation(scopes) is none -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(lake_changed_platforms() | length == 0) }}
{%- endmacro %}


{#- The where-clause of base_<platform>__records: only the records of the scopes this build
    recomputes. Nothing on an adapter that rebuilds every table (Spark). During a run the changed
    scopes are read first (lake_changed_scopes) and written into the view as constants: `1 = 0`
    when none of the platform's changed (the view reads nothing), `1 = 1` when all did, else the
    keys of the changed scopes (up to 1,000; for Claude Code and ChatGPT these are files, so the
    lake scan itself skips the rest). -#}
{% macro lake_scope_filter(platform) -%}
    {%- if not builds_incrementally() -%}
    1 = 1
    {%- else -%}
        {%- set scopes = lake_changed_scopes(platform) -%}
        {%- if scopes is not none and scopes.changed | length == 0 -%}
    1 = 0
        {%- elif scopes is not none and scopes.unchanged == 0 -%}
    1 = 1
        {%- elif scopes is not none and scopes.changed | length <= 1000 -%}
    {{ lake_scope_key(platform, 'source_uri') }} in (
        {%- for scope in scopes.changed %}
        '{{ scope[platform | length + 1:] | replace("'", "''") }}'{{ ',' if not loop.last }}
        {%- endfor %}
    )
        {%- else -%}
    '{{ platform }}|' || {{ lake_scope_key(platform, 'source_uri') }} in (
        select changed_scopes.lake_scope_id
        from {{ ref('base_lake__scopes') }} as changed_scopes
        where
            changed_scopes.platform = '{{ platform }}'
            and changed_scopes.is_changed
    )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- The scopes of a platform this run recomputes, read from base_lake__scopes (built earlier in
    the same run): {changed: [lake_scope_id, ...], unchanged: <count>}. None outside a run or
    before base_lake__scopes exists (the filter then reads it at query time). -#}
{% macro lake_changed_scopes(platform) -%}
    {%- set scopes = ref('base_lake__scopes') -%}
    {%- if not execute or flags.WHICH not in ('run', 'build') or load_relation(scopes) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {#- the changed scopes' ids, and how many are unchanged (Claude Code has one scope per file:
        fetching every scope into the template cost a tenth of a second per build) -#}
    {%- set result = run_query(
        'select lake_scope_id, is_changed from ' ~ scopes ~ " where platform = '" ~ platform ~ "'"
        ~ ' and is_changed union all select cast(count(*) as ' ~ dbt.type_string() ~ '), false'
        ~ ' from ' ~ scopes ~ " where platform = '" ~ platform ~ "' and not is_changed"
    ) -%}
    {%- set changed = [] -%}
    {%- set unchanged = [0] -%}
    {%- for row in result.rows -%}
        {%- if row[1] -%}
            {%- do changed.append(row[0]) -%}
        {%- else -%}
            {%- do unchanged.append(row[0] | int) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'changed': changed, 'unchanged': unchanged | max}) }}
{%- endmacro %}


{#- Config of a model that reads staging: incremental, replacing the rows of the changed scopes.
    A full refresh of such a model must rebuild base_lake__scopes too (otherwise the staging views
    hold only the last build's changes): it stops with an error that says so. -#}
{% macro incremental_by_lake_scope(platform_column='platform', source_uri_column='source_uri') -%}
    {%- set scopes = ref('base_lake__scopes') -%}
    {{ config(
        materialized=incremental_materialization(),
        incremental_strategy='replace_where',
        on_schema_change='fail',
        replace_scope='lake',
        replace_columns=[platform_column, source_uri_column]
    ) }}
    {%- if execute and flags.WHICH in ('run', 'build') and builds_incrementally()
        and not is_incremental() and load_relation(scopes) is not none -%}
        {%- set partial = run_query(
            'select count(*) from ' ~ scopes ~ ' where not is_changed'
        ).columns[0].values()[0] -%}
        {%- if partial > 0 -%}
            {{ exceptions.raise_compiler_error(
                model.name ~ ' is being built from scratch, but base_lake__scopes marks only'
                ~ ' the last changes for the staging views (' ~ partial ~ ' scopes unchanged):'
                ~ ' run the whole build with --full-refresh, or select base_lake__scopes too'
                ~ ' (dbt build --full-refresh --select +' ~ model.name ~ ').'
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- Config of a conversation-level model: incremental, replacing the rows of the conversations
    int_conversations_changed lists (`column` names the conversation). With `listed=true` (the
    marts that show only the conversations deduplication lists) it also replaces the rows of a
    conversation whose listing changed: one no longer listed goes, one newly listed comes in
    (listed_conversations_filter). Those marts have contracts, which allow on_schema_change
    `fail` or `append_new_columns`; `fail` would refuse every PostgreSQL run (the contract creates
    `character varying` columns, the query's casts give `text`), so they append, and a contract
    column the existing table lacks stops the build here instead, asking for --full-refresh (an
    appended column would be null on every conversation that did not change). -#}
{% macro incremental_by_conversation(column='conversation_id', listed=false, scope=none) -%}
    {%- set changed = ref('int_conversations_changed') -%}
    {%- set scopes = ref('base_lake__scopes') -%}  {#- read by lake_unchanged at run time #}
    {%- if listed -%}
        {%- set deduplicated = ref('int_conversations_deduplicated') -%}
    {%- endif -%}
    {{ config(
        materialized=incremental_materialization(),
        incremental_strategy='replace_where',
        on_schema_change='append_new_columns' if listed else 'fail',
        replace_scope=scope or ('listed_conversation' if listed else 'conversation'),
        replace_columns=[column]
    ) }}
    {%- if listed and execute and flags.WHICH in ('run', 'build') and is_incremental() -%}
        {%- set held = adapter.get_columns_in_relation(this) | map(attribute='name')
            | map('lower') | list -%}
        {%- set missing = model.columns.keys() | map('lower') | reject('in', held) | list -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                model.name ~ ' lacks the column(s) ' ~ missing | join(', ') ~ ' of its contract:'
                ~ ' rebuild it with dbt build --full-refresh (an incremental run would leave'
                ~ ' them null on the conversations that did not change).'
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- The where-clause that keeps the rows of changed conversations in an incremental run
    (`1 = 1` when the model is built from scratch). -#}
{% macro changed_conversations_filter(column='conversation_id') -%}
    {%- set scopes = ref('base_lake__scopes') -%}  {#- read by lake_unchanged at run time #}
    {%- if is_incremental() and lake_unchanged() -%}
    1 = 0
    {%- elif is_incremental() -%}
    {{ column }} in (select conversation_id from {{ ref('int_conversations_changed') }})
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}


{#- For the marts of listed conversations: in an incremental run, the changed conversations and
    the listed ones the mart does not hold yet (`1 = 1` when built from scratch), as one small set
    of conversation ids (a filter per row against the whole mart cost a second per mart). The
    model still keeps only listed conversations. -#}
{% macro listed_conversations_filter(column='conversation_id') -%}
    {%- set scopes = ref('base_lake__scopes') -%}  {#- read by lake_unchanged at run time #}
    {%- if is_incremental() and lake_unchanged() -%}
    1 = 0
    {%- elif is_incremental() -%}
    {{ column }} in (
        select changed.conversation_id
        from {{ ref('int_conversations_changed') }} as changed
        union all
        select listed.conversation_id
        from {{ ref('int_conversations_deduplicated') }} as listed
        where
            listed.is_listed
            and listed.conversation_id not in (select held.{{ column }} from {{ this }} as held)
    )
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}


{#- The rows of the target a `replace_where` model replaces (config replace_scope):
    - lake: the rows of the changed scopes (replace_columns: the platform and source_uri columns);
    - conversation: the rows of the changed conversations (replace_columns: the conversation column);
    - listed_conversation: those, and the rows of conversations deduplication no longer lists;
    - secret_scan: the changed conversations, or every row when the secret patterns changed
      (secret_scan_filter). -#}
{% macro replace_where_predicate() -%}
    {%- set scope = config.get('replace_scope') -%}
    {%- set columns = config.get('replace_columns') or [] -%}
    {%- if scope == 'lake' and execute and lake_changed_platforms() | length == 0 -%}
    1 = 0
    {%- elif scope == 'lake' -%}
    {{ lake_scope_id(columns[0], columns[1]) }} in (
        select lake_scope_id from {{ ref('base_lake__scopes') }} where is_changed
    )
    {%- elif scope == 'secret_scan' -%}
    {{ secret_scan_filter(columns[0]) }}
    {%- elif scope in ('conversation', 'listed_conversation') and lake_unchanged() -%}
    1 = 0
    {%- elif scope in ('conversation', 'listed_conversation') -%}
    {{ columns[0] }} in (select conversation_id from {{ ref('int_conversations_changed') }})
    {%- if scope == 'listed_conversation' %}
    or {{ columns[0] }} not in (
        select listed.conversation_id
        from {{ ref('int_conversations_deduplicated') }} as listed
        where listed.is_listed
    )
    {%- endif -%}
    {%- else -%}
    {{ exceptions.raise_compiler_error(
        model.name ~ ": incremental_strategy 'replace_where' needs replace_scope"
        ~ " lake, conversation, listed_conversation or secret_scan (got " ~ scope ~ ")"
    ) }}
    {%- endif -%}
{%- endmacro %}


{#- The incremental strategy `replace_where`: delete the target's rows replace_where_predicate()
    names (the changed scopes or conversations, whether or not they still have rows), then insert
    every row the model selected. delete+insert cannot do this: it deletes only the keys present
    in the new rows, so a conversation that lost all its rows would stay. -#}
{% macro get_incremental_replace_where_sql(arg_dict) -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ replace_where_predicate() }};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }}
    from {{ arg_dict['temp_relation'] }}
{%- endmacro %}


{#- The materialization of the base_<platform>__records models (the one model per platform that
    reads the lake). A view elsewhere: the staging tables built on it each scan only the columns
    they need, and the raw text is not copied into the warehouse. Spark: a table, like the rest of
    staging (see dbt_project.yml). -#}
{% macro base_materialization() -%}
    {{ return(adapter.dispatch('base_materialization', 'ai_conversations')()) }}
{%- endmacro %}
{% macro default__base_materialization() -%}
    {{ return('view') }}
{%- endmacro %}
{% macro spark__base_materialization() -%}
    {{ return('table') }}
{%- endmacro %}


{#- A select of (lake_scope_id, conversation_id, content_fingerprint): for each lake scope and each
    conversation it holds, one hash of every row the conversation-level models read of it (its
    rows of int_messages_unioned, int_content_blocks_unioned (through their landed record's
    message), int_summaries_unioned and stg_claude_code__thread_links, every column). Equal
    fingerprints, equal rows: int_conversations_changed recomputes a conversation of a changed
    scope only when its fingerprint differs from the last complete build's (int_lake_scopes_built),
    so a platform recomputed whole (an unscoped record changed) does not recompute every one of
    its conversations downstream. `changed_only`: only the scopes base_lake__scopes marks changed. -#}
{% macro conversation_fingerprints(changed_only=true) -%}
    {%- set messages = ref('int_messages_unioned') -%}
    {%- set blocks = ref('int_content_blocks_unioned') -%}
    {%- set summaries = ref('int_summaries_unioned') -%}
    {%- set links = ref('stg_claude_code__thread_links') -%}
    select
        lake_scope_id,
        conversation_id,
        {{ row_set_hash('row_hash') }} as content_fingerprint
    from (
        select
            {{ lake_scope_id('messages.platform', 'messages.source_uri') }} as lake_scope_id,
            messages.conversation_id,
            {{ row_hash('messages') }} as row_hash
        from {{ messages }} as messages
        {%- if changed_only %}
        where {{ in_changed_lake_scopes('messages', messages) }}
        {%- endif %}
        union all
        select
            {{ lake_scope_id('messages.platform', 'messages.source_uri') }} as lake_scope_id,
            messages.conversation_id,
            {{ row_hash('blocks') }} as row_hash
        from {{ blocks }} as blocks
        inner join {{ messages }} as messages
            on
                blocks.message_id = messages.message_id
                and coalesce(blocks.source_uri, '') = coalesce(messages.source_uri, '')
                and coalesce(blocks.record_locator, '') = coalesce(messages.record_locator, '')
        {%- if changed_only %}
        where
            {{ in_changed_lake_scopes('blocks', blocks) }}
            and {{ in_changed_lake_scopes('messages', messages) }}
        {%- endif %}
        union all
        select
            {{ lake_scope_id('summaries.platform', 'summaries.source_uri') }} as lake_scope_id,
            summaries.conversation_id,
            {{ row_hash('summaries') }} as row_hash
        from {{ summaries }} as summaries
        {%- if changed_only %}
        where {{ in_changed_lake_scopes('summaries', summaries) }}
        {%- endif %}
        union all
        select
            {{ lake_scope_id('links.platform', 'links.source_uri') }} as lake_scope_id,
            {{ deterministic_id(['links.platform', 'links.native_session_id']) }} as conversation_id,
            {{ row_hash('links') }} as row_hash
        from {{ links }} as links
        {%- if changed_only %}
        where {{ in_changed_lake_scopes('links', links) }}
        {%- endif %}
    ) as held_rows
    group by 1, 2
{%- endmacro %}


{#- A predicate on the row `alias` of `relation` (a table with platform and source_uri columns):
    its lake scope is one base_lake__scopes marks changed. On DuckDB it is a semi-join on rowid
    with the rows that match: the scan of `relation` under `alias` then reads its other columns
    only where those rows are (a build rewrote the changed scopes' rows, so they sit in its newest
    row groups), not every column of every row, as a filter computed from every row's source_uri
    made it do (the fingerprint scans of the content blocks, 0.65 -> 0.14 s at 1 GB). -#}
{% macro in_changed_lake_scopes(alias, relation) -%}
    {{ return(adapter.dispatch('in_changed_lake_scopes', 'ai_conversations')(alias, relation)) }}
{%- endmacro %}
{% macro default__in_changed_lake_scopes(alias, relation) -%}
    {{ lake_scope_id(alias ~ '.platform', alias ~ '.source_uri') }} in (
        select changed_scopes.lake_scope_id
        from {{ ref('base_lake__scopes') }} as changed_scopes
        where changed_scopes.is_changed
    )
{%- endmacro %}
{% macro duckdb__in_changed_lake_scopes(alias, relation) -%}
    {{ alias }}.rowid in (
        select scoped_rows.rowid
        from {{ relation }} as scoped_rows
        where {{ default__in_changed_lake_scopes('scoped_rows', relation) }}
    )
{%- endmacro %}


{#- True when `relation` exists and has the column `name` (a table an older version of the
    project built may lack a column this one adds). -#}
{% macro relation_has_column(relation, name) -%}
    {%- if relation is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name')
        | map('lower') | list -%}
    {{ return(name | lower in columns) }}
{%- endmacro %}
