{#- Secrets in text (the secret_findings mart). The patterns are rows of the seed
    secret_patterns, the same ones `extract run --redact` masks with (extract/redact.py): each is
    written in the subset of regular expressions that RE2 (DuckDB), ARE (PostgreSQL), Java (Spark)
    and Python read alike. A secret starts a token: at the start of the text or after a character
    that is not an ASCII letter or digit. The boundary is capture group 1 (consumed: none of the
    engines shares a look-behind) and the secret group 2; extract/redact.py's BOUNDARY is the same
    text. Matches of one pattern are found left to right without overlap, all of them. -#}

{% macro secret_boundary() -%}(^|[^A-Za-z0-9]){%- endmacro %}


{# the full regular expression for a pattern (a SQL expression): boundary, then the secret #}
{% macro _secret_regex(pattern_expr) -%}
    concat('{{ secret_boundary() }}(', {{ pattern_expr }}, ')')
{%- endmacro %}


{# true when a secret pattern matches somewhere in a text (a cheap test before secret_matches) #}
{% macro secret_found(text_expr, pattern_expr) -%}
    {{ return(adapter.dispatch('secret_found', 'ai_conversations')(text_expr, pattern_expr)) }}
{%- endmacro %}
{% macro default__secret_found(text_expr, pattern_expr) -%}
    {{ _not_implemented('secret_found') }}
{%- endmacro %}
{% macro duckdb__secret_found(text_expr, pattern_expr) -%}
    regexp_matches({{ text_expr }}, {{ _secret_regex(pattern_expr) }})
{%- endmacro %}
{% macro postgres__secret_found(text_expr, pattern_expr) -%}
    (({{ text_expr }}) ~ {{ _secret_regex(pattern_expr) }})
{%- endmacro %}
{% macro spark__secret_found(text_expr, pattern_expr) -%}
    (({{ text_expr }}) rlike {{ _secret_regex(pattern_expr) }})
{%- endmacro %}


{# A table of every match of a secret pattern in a text, for `cross join lateral`:
   match_index (1, 2, ... left to right), match_position (1-based character offset of the secret),
   match_length (characters) and match_text (the secret: hash it, never select it into a mart).
   Positions come from the pieces between the matches: the secret k starts after pieces 1..k,
   whole matches 1..k-1 and boundary k. #}
{% macro secret_matches(text_expr, pattern_expr, alias) -%}
    {{ return(adapter.dispatch('secret_matches', 'ai_conversations')(text_expr, pattern_expr, alias)) }}
{%- endmacro %}
{% macro default__secret_matches(text_expr, pattern_expr, alias) -%}
    {{ _not_implemented('secret_matches') }}
{%- endmacro %}
{% macro duckdb__secret_matches(text_expr, pattern_expr, alias) -%}
    (
        select
            cast(found.match_index as bigint) as match_index,
            cast(
                sum(length(found.piece) + length(found.head) + length(found.secret)) over (
                    order by found.match_index rows between unbounded preceding and current row
                ) - length(found.secret) + 1 as bigint
            ) as match_position,
            cast(length(found.secret) as bigint) as match_length,
            found.secret as match_text
        from (
            select
                indexes.match_index,
                lists.pieces[indexes.match_index] as piece,
                lists.heads[indexes.match_index] as head,
                lists.secrets[indexes.match_index] as secret
            from (
                select
                    regexp_split_to_array({{ text_expr }}, {{ _secret_regex(pattern_expr) }}) as pieces,
                    regexp_extract_all({{ text_expr }}, {{ _secret_regex(pattern_expr) }}, 1) as heads,
                    regexp_extract_all({{ text_expr }}, {{ _secret_regex(pattern_expr) }}, 2) as secrets
            ) as lists
            cross join range(1, len(lists.secrets) + 1) as indexes (match_index)
        ) as found
    ) as {{ alias }}
{%- endmacro %}
{% macro postgres__secret_matches(text_expr, pattern_expr, alias) -%}
    (
        select
            cast(found.match_index as bigint) as match_index,
            cast(
                sum(char_length(pieces.piece) + char_length(found.head) + char_length(found.secret)) over (
                    order by found.match_index rows between unbounded preceding and current row
                ) - char_length(found.secret) + 1 as bigint
            ) as match_position,
            cast(char_length(found.secret) as bigint) as match_length,
            found.secret as match_text
        from (
            select
                groups.ordinality as match_index,
                groups.captured[1] as head,
                groups.captured[2] as secret
            from regexp_matches({{ text_expr }}, {{ _secret_regex(pattern_expr) }}, 'g')
                with ordinality as groups (captured, ordinality)
        ) as found
        inner join (
            select
                split.ordinality as piece_index,
                split.piece
            from regexp_split_to_table({{ text_expr }}, {{ _secret_regex(pattern_expr) }})
                with ordinality as split (piece, ordinality)
        ) as pieces
            on found.match_index = pieces.piece_index
    ) as {{ alias }}
{%- endmacro %}
{# Spark (untested here): array functions only, one generator (as json_each_element) #}
{% macro spark__secret_matches(text_expr, pattern_expr, alias) -%}
    {%- set regex = _secret_regex(pattern_expr) -%}
    {%- set lengths_through -%}
        aggregate(slice({list}, 1, {n}), 0, (acc, x) -> acc + char_length(x))
    {%- endset -%}
    (
        select inline(transform(
            regexp_extract_all({{ text_expr }}, {{ regex }}, 2),
            (secret, i) -> named_struct(
                'match_index', cast(i + 1 as bigint),
                'match_position', cast(
                    1
                    + {{ lengths_through | replace('{list}', 'split(' ~ text_expr ~ ', ' ~ regex ~ ', -1)') | replace('{n}', 'i + 1') }}
                    + {{ lengths_through | replace('{list}', 'regexp_extract_all(' ~ text_expr ~ ', ' ~ regex ~ ', 1)') | replace('{n}', 'i + 1') }}
                    + {{ lengths_through | replace('{list}', 'regexp_extract_all(' ~ text_expr ~ ', ' ~ regex ~ ', 2)') | replace('{n}', 'i') }}
                    as bigint
                ),
                'match_length', cast(char_length(secret) as bigint),
                'match_text', secret
            )
        ))
    ) as {{ alias }} (match_index, match_position, match_length, match_text)
{%- endmacro %}


{#- Incremental secret scanning (int_secret_findings_scanned). A re-run scans the texts of the
    conversations int_conversations_changed lists, unless the patterns changed since the last
    complete scan: then it scans everything again. The last complete scan's patterns are the
    fingerprint int_secret_patterns_scanned holds (built after the scan, read here without ref, as
    lake_scopes_built_relation does). -#}

{# SQL: one row, the fingerprint (a hash) of every kind and pattern of the seed secret_patterns #}
{% macro secret_patterns_fingerprint_sql() -%}
    select
        {{ dbt.hash(listagg_ordered(
            dbt.concat(["kind", "':'", "pattern"]), "' '", ["kind", "pattern"]
        )) }} as patterns_fingerprint
    from {{ ref('secret_patterns') }}
{%- endmacro %}


{# True in an incremental run of the scan when the patterns differ from the last complete scan's,
   or no complete scan is recorded #}
{% macro secret_patterns_changed() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set scanned = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_secret_patterns_scanned'
    ) -%}
    {%- if scanned is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set current = run_query(secret_patterns_fingerprint_sql()).columns[0].values() | list -%}
    {%- set previous = run_query(
        'select patterns_fingerprint from ' ~ scanned
    ).columns[0].values() | list -%}
    {{ return(current != previous) }}
{%- endmacro %}


{# The where-clause of the texts a scan reads, and of the rows it replaces: the changed
   conversations in an incremental run, every one when built from scratch or when the patterns
   changed #}
{% macro secret_scan_filter(column='conversation_id') -%}
    {%- if is_incremental() and not secret_patterns_changed() -%}
    {{ column }} in (select conversation_id from {{ ref('int_conversations_changed') }})
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}
