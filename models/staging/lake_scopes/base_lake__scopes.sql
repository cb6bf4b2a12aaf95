{#- Every scope of the lake (macros/incremental.sql, lake_scope_key: a Claude Code or ChatGPT source
    file, a Copilot Chat session, a Roo Code or Cline task folder, a Cline SDK session, else the
    platform's unscoped records) with its raw record count, and whether this build recomputes it.
    A scope is changed when its count differs from the last complete build's
    (int_lake_scopes_built), or there is no such build, or the build is a --full-refresh. Raw
    records are immutable and only ever added, so a scope whose count is unchanged holds exactly
    the records the warehouse was built from. Then:
    - a changed lookup scope (a key ending in `/`: a Copilot Chat workspace.json) changes every
      scope under it, and a lookup scope with a changed scope under it is recomputed too (its
      records are read again for the joins; its own rows depend only on itself);
    - an item of a history index (lake_index_item_key: Cline's state/taskHistory.json, rewritten
      whole on every task it adds or updates) counts in its task's scope too, once per distinct
      content, plus one while the index's latest landing lists it: its task is recomputed when
      the item changed or left the index, not when the index was only landed again (nor when an
      item went back to a content landed before, A -> B -> A: HistoryItems carry a growing `ts`).
      The index records themselves are unscoped, and read again (the platform's '' scope changed)
      whenever any scope of the platform changed;
    - a platform with any other unscoped record (key '') is recomputed whole when anything of it
      changed.
    Reads the raw sources, not the base models (they keep only the changed scopes), and only when
    something landed since its own last build (lake_scope_counts_carried). -#}

{{ config(materialized='table') }}

{%- set built = lake_scopes_built_relation() %}
{%- set carried = lake_scope_counts_carried() %}

with

{%- if carried %}

-- no raw record landed since this model's last build (every platform holds as many as then, and
-- raw records are only ever added): its counts stand, without reading the lake again
scopes as (

    select
        lake_scope_id,
        platform,
        raw_records,
        path_records,
        unindexed_records,
        last_extracted_at
    from {{ this }}

),

{%- else %}

records as (

    {%- for platform in var('unified_platforms') %}
    select
        platform,
        source_uri,
        extracted_at,
        {%- if lake_platform_has_index(platform) %}
        raw_checksum,
        source_file_version,
        {{ lake_index_item_key(
            platform, 'source_uri', 'record_kind', 'record_locator', 'raw_text'
        ) }} as item_scope_key
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as raw_checksum,
        cast(null as {{ dbt.type_int() }}) as source_file_version,
        cast(null as {{ dbt.type_string() }}) as item_scope_key
        {%- endif %}
    from {{ source('raw', platform) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

path_scopes as (

    select
        {{ lake_scope_id('platform', 'source_uri') }} as lake_scope_id,
        platform,
        count(*) as raw_records,
        -- the unscoped records that are not index items: they make the platform recomputed whole
        sum(case when item_scope_key is null then 1 else 0 end) as unindexed_records,
        max(extracted_at) as last_extracted_at
    from records
    group by 1, 2

),

index_items as (

    select
        platform || '|' || item_scope_key as lake_scope_id,
        platform,
        raw_checksum,
        extracted_at,
        source_file_version = max(source_file_version) over (partition by source_uri) as is_listed
    from records
    where item_scope_key is not null

),

item_scopes as (

    select
        lake_scope_id,
        platform,
        count(distinct raw_checksum) + max(case when is_listed then 1 else 0 end) as raw_records,
        max(extracted_at) as last_extracted_at
    from index_items
    group by 1, 2

),

scopes as (

    select
        coalesce(path_scopes.lake_scope_id, item_scopes.lake_scope_id) as lake_scope_id,
        coalesce(path_scopes.platform, item_scopes.platform) as platform,
        coalesce(path_scopes.raw_records, 0) + coalesce(item_scopes.raw_records, 0) as raw_records,
        coalesce(path_scopes.raw_records, 0) as path_records,
        coalesce(path_scopes.unindexed_records, 0) as unindexed_records,
        case
            when item_scopes.last_extracted_at is null then path_scopes.last_extracted_at
            when path_scopes.last_extracted_at is null then item_scopes.last_extracted_at
            when item_scopes.last_extracted_at > path_scopes.last_extracted_at
                then item_scopes.last_extracted_at
            else path_scopes.last_extracted_at
        end as last_extracted_at
    from path_scopes
    full outer join item_scopes
        on path_scopes.lake_scope_id = item_scopes.lake_scope_id

),

{%- endif %}

keyed as (

    select
        lake_scope_id,
        platform,
        substr(lake_scope_id, length(platform) + 2) as scope_key,
        raw_records,
        path_records,
        unindexed_records,
        last_extracted_at
    from scopes

),

built as (

    {%- if built is not none and not flags.FULL_REFRESH %}
    select distinct
        lake_scope_id,
        raw_records
    from {{ built }}
    {%- else %}
    -- no complete build yet, or a --full-refresh: every scope is changed
    select
        cast(null as {{ dbt.type_string() }}) as lake_scope_id,
        cast(null as {{ dbt.type_bigint() }}) as raw_records
    where 1 = 0
    {%- endif %}

),

counted as (

    select
        keyed.lake_scope_id,
        keyed.platform,
        keyed.scope_key,
        keyed.raw_records,
        keyed.path_records,
        keyed.unindexed_records,
        keyed.last_extracted_at,
        keyed.scope_key != '' and substr(keyed.scope_key, length(keyed.scope_key)) = '/' as is_lookup,
        coalesce(built.raw_records != keyed.raw_records, true) as is_count_changed
    from keyed
    left join built
        on keyed.lake_scope_id = built.lake_scope_id

),

platforms as (

    select
        platform,
        max(case when is_count_changed then 1 else 0 end) = 1 as has_change,
        max(case when scope_key = '' and unindexed_records > 0 then 1 else 0 end) = 1
            as has_unscoped
    from counted
    group by 1

),

changed_lookups as (

    select
        platform,
        scope_key
    from counted
    where is_count_changed and is_lookup

),

-- scopes under a changed lookup scope
under_changed_lookups as (

    select distinct counted.lake_scope_id
    from counted
    inner join changed_lookups
        on
            counted.platform = changed_lookups.platform
            and substr(counted.scope_key, 1, length(changed_lookups.scope_key)) = changed_lookups.scope_key

),

-- lookup scopes with a changed scope under them
over_changed_scopes as (

    select distinct lookups.lake_scope_id
    from counted as lookups
    inner join counted as members
        on
            lookups.platform = members.platform
            and members.is_count_changed
            and length(members.scope_key) > length(lookups.scope_key)
            and substr(members.scope_key, 1, length(lookups.scope_key)) = lookups.scope_key
    where lookups.is_lookup

),

final as (

    select
        counted.lake_scope_id,
        counted.platform,
        counted.raw_records,
        counted.path_records,
        counted.unindexed_records,
        counted.last_extracted_at,
        (
            counted.is_count_changed
            or (platforms.has_unscoped and platforms.has_change)
            -- the unscoped index records: read again with any change of their platform
            or (counted.scope_key = '' and platforms.has_change)
            or under_changed_lookups.lake_scope_id is not null
            or over_changed_scopes.lake_scope_id is not null
        ) as is_changed
    from counted
    inner join platforms
        on counted.platform = platforms.platform
    left join under_changed_lookups
        on counted.lake_scope_id = under_changed_lookups.lake_scope_id
    left join over_changed_scopes
        on counted.lake_scope_id = over_changed_scopes.lake_scope_id

)

select * from final
