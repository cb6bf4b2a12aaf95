{#- One row per Claude Code 2.1 subagent sidecar (`<session>/subagents/agent-<id>.meta.json`):
    which kind of agent a subagent transcript was. -#}

with

source as (

    select * from {{ ref('base_claude_code__records') }}
    where record_kind = 'subagent_meta'

),

renamed as (

    select
        platform,
        {{ regex_extract('source_uri', '/([^/]+)/subagents/[^/]+$') }} as native_session_id,
        {{ regex_extract(file_name('source_uri'), '^agent-([0-9A-Za-z_-]+)\\.meta\\.json$') }} as agent_id,
        case
            when {{ json_is_valid('raw_text') }}
                then {{ json_text('raw_text', ['agentType']) }}
        end as agent_type,
        case
            when {{ json_is_valid('raw_text') }}
                then {{ try_cast_bigint(json_text('raw_text', ['spawnDepth'])) }}
        end as spawn_depth,
        {{ json_is_valid('raw_text') }} as is_valid_json,
        raw_checksum,
        source_uri,
        source_file_version,
        run_id,
        extracted_at
    from source

)

select * from renamed
