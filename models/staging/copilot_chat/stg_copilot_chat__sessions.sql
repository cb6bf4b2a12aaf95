{#- One row per Copilot Chat session file (latest landed version), its top-level fields replayed:
    the last kind-0 state (or the flat document) overridden by later kind-1 sets / kind-3 deletes on
    a top-level key (`["customTitle"]`, …; the last one wins). The workspace comes from the
    workspace.json of the same `<hash>` folder. A `.json` file with a `.jsonl` sibling of the same
    name is superseded: VS Code reads the log first (`is_superseded`). -#}

{%- set fields = [
    ('sessionId', 'session_id'), ('customTitle', 'custom_title'), ('creationDate', 'creation_date'),
    ('lastMessageDate', 'last_message_date'), ('initialLocation', 'initial_location'),
    ('requesterUsername', 'requester_username'), ('responderUsername', 'responder_username'),
    ('hasPendingEdits', 'has_pending_edits'), ('isImported', 'is_imported'), ('version', 'version')
] %}

with

entries as (

    select * from {{ ref('stg_copilot_chat__mutations') }}
    where is_replayed

),

workspaces as (

    select * from {{ ref('stg_copilot_chat__workspaces') }}
    where parse_error is null

),

snapshots as (

    select * from entries
    where entry_kind = 0 and record_ordinal = snapshot_ordinal

),

top_level_sets as (

    select
        source_uri,
        path_0 as field_key,
        value_json,
        record_ordinal,
        row_number() over (
            partition by source_uri, path_0
            order by record_ordinal desc
        ) as set_rank
    from entries
    where entry_kind in (1, 3) and path_length = 1

),

pivoted as (

    select
        source_uri,
        {%- for key, alias in fields %}
        max(case when field_key = '{{ key }}' then 1 else 0 end) as has_{{ alias }},
        max(case when field_key = '{{ key }}' then value_json end) as set_{{ alias }},
        max(case when field_key = '{{ key }}' then record_ordinal end) as set_{{ alias }}_ordinal
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from top_level_sets
    where set_rank = 1
    group by 1

),

merged as (

    select
        snapshots.*,
        {%- for key, alias in fields %}
        case
            when pivoted.has_{{ alias }} = 1 then pivoted.set_{{ alias }}
            else {{ json_value('snapshots.value_json', [key]) }}
        end as {{ alias }}_json,
        {%- endfor %}
        pivoted.set_custom_title_ordinal as title_ordinal
    from snapshots
    left join pivoted
        on snapshots.source_uri = pivoted.source_uri

),

typed as (

    select
        platform,
        source_uri,
        source_file_version,
        file_format,
        coalesce(
            {{ json_text('session_id_json', []) }},
            {{ regex_extract(file_name('source_uri'), '^(.*)\\.jsonl?$') }}
        ) as native_session_id,
        {{ json_text('custom_title_json', []) }} as title,
        {{ to_utc_timestamp(json_text('creation_date_json', [])) }} as created_at,
        {{ to_utc_timestamp(json_text('last_message_date_json', [])) }} as last_message_at,
        {{ json_text('initial_location_json', []) }} as initial_location,
        {{ json_text('requester_username_json', []) }} as requester_username,
        {{ json_text('responder_username_json', []) }} as responder_username,
        {{ json_text('has_pending_edits_json', []) }} = 'true' as has_pending_edits,
        {{ json_text('is_imported_json', []) }} = 'true' as is_imported,
        {{ try_cast_bigint(json_text('version_json', [])) }} as format_version,
        {{ regex_extract('source_uri', '^(.*)/chatSessions/[^/]+$') }} as workspace_storage_path,
        coalesce(
            source_uri like '%/emptyWindowChatSessions/%' or source_uri like '%/no-workspace/%', false
        ) as is_empty_window,
        regexp_replace(source_uri, '\.jsonl?$', '') as source_stem,
        source_version as app_version,
        ---------- lineage of the state the session was read from
        raw_checksum,
        record_locator,
        record_ordinal,
        coalesce(title_ordinal, record_ordinal) as title_record_ordinal,
        extracted_at,
        run_id
    from merged

),

flagged as (

    select
        typed.*,
        typed.file_format = 'flat_json' and max(case when typed.file_format = 'mutation_log' then 1 else 0 end)
            over (partition by typed.source_stem)
        = 1 as is_superseded
    from typed

)

select
    flagged.platform,
    flagged.source_uri,
    flagged.source_file_version,
    flagged.file_format,
    flagged.native_session_id,
    flagged.title,
    flagged.created_at,
    flagged.last_message_at,
    flagged.initial_location,
    flagged.requester_username,
    flagged.responder_username,
    flagged.has_pending_edits,
    flagged.is_imported,
    flagged.format_version,
    flagged.app_version,
    flagged.is_empty_window,
    flagged.workspace_storage_path,
    workspaces.workspace_hash,
    workspaces.folder_uri as workspace_uri,
    workspaces.workspace_path,
    flagged.is_superseded,
    flagged.raw_checksum,
    flagged.record_locator,
    flagged.record_ordinal,
    flagged.title_record_ordinal,
    flagged.extracted_at,
    flagged.run_id
from flagged
left join workspaces
    on flagged.workspace_storage_path = workspaces.workspace_storage_path
