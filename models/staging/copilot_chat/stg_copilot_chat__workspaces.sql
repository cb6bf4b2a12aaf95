{#- One row per VS Code workspace folder (`workspaceStorage/<hash>/workspace.json`), latest landed
    version: the folder (or multi-root `.code-workspace` file) the hash stands for. Sessions join
    it through `workspace_storage_path`, the `<hash>` folder both live in. `workspace_path` is the
    decoded local path for `file://` URIs (common %-escapes only) and the URI itself otherwise
    (`vscode-remote://…`). -#}

with

source as (

    select * from {{ ref('base_copilot_chat__records') }}
    where record_kind = 'workspace'

),

ranked as (

    select
        *,
        row_number() over (
            partition by source_uri
            order by source_file_version desc, extracted_at desc, run_id desc
        ) as version_rank
    from source

),

parsed as (

    select
        platform,
        source_uri,
        record_locator,
        raw_checksum,
        source_file_version,
        extracted_at,
        run_id,
        {{ regex_extract('source_uri', '^(.*)/workspace\\.json$') }} as workspace_storage_path,
        {{ regex_extract('source_uri', '/([^/]+)/workspace\\.json$') }} as workspace_hash,
        case
            when {{ json_is_valid('raw_text') }} and {{ json_type('raw_text') }} = 'object'
                then coalesce(
                    {{ json_text('raw_text', ['folder']) }},
                    {{ json_text('raw_text', ['workspace']) }}
                )
        end as folder_uri,
        case
            when not {{ json_is_valid('raw_text') }} then 'invalid JSON: workspace.json does not parse'
            when {{ json_type('raw_text') }} != 'object'
                then 'not a workspace.json: the JSON value is not an object'
            when
                {{ json_text('raw_text', ['folder']) }} is null
                and {{ json_text('raw_text', ['workspace']) }} is null
                then 'not a workspace.json: no "folder" or "workspace"'
        end as parse_error
    from ranked
    where version_rank = 1

)

select
    *,
    case
        when folder_uri like 'file://%'
            then replace(replace(replace(replace(replace(
                substr(folder_uri, 8), '%20', ' '
            ), '%3A', ':'), '%3a', ':'), '%23', '#'), '%25', '%')
        else folder_uri
    end as workspace_path
from parsed
