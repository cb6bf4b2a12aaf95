{#- Fails the build when a deduplication level whose policy var is `error` found duplicates, and
    names them: dedup_<level>_action = error means "stop and tell me" instead of folding. -#}

{#- (the mart exists when the test runs; not when sqlfluff compiles a fresh clone) -#}
{%- if execute and load_relation(ref('duplicates')) is not none -%}
    {%- set found = run_query(
        "select entity, level, kept_id, dropped_id, coalesce(dropped_source_uri, '') as source"
        ~ " from " ~ ref('duplicates') ~ " where action = 'error' order by 1, 2, 3, 4 limit 5"
    ) -%}
{%- if found and found.rows | length > 0 -%}
        {%- set lines = [] -%}
        {%- for row in found.rows -%}
            {%- do lines.append(
                row[0] ~ " " ~ row[3] ~ " duplicates " ~ row[2] ~ " at level " ~ row[1]
                ~ (" (" ~ row[4] ~ ")" if row[4] else "")
            ) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "Deduplication found duplicates whose policy is 'error' (set the dedup_<level>_action var to "
            ~ "skip, merge or version to fold them):\n  " ~ lines | join("\n  ")
        ) }}
    {%- endif -%}
{%- endif %}

select
    entity,
    level,
    kept_id,
    dropped_id
from {{ ref('duplicates') }}
where action = 'error'
