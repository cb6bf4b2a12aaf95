{#- Every registered platform's known format versions in one relation: the seeds
    seeds/platforms/<platform>/<platform>__known_format_versions.csv (header only when the
    platform states no version), unioned over var unified_platforms (a registered platform
    without its seed fails the parse, naming the seed). -#}

with

unioned as (

    {{ union_platform_seeds('known_format_versions', [
        'platform',
        'version_prefix',
        'format_notes'
    ]) }}

)

select * from unioned
