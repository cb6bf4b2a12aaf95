{#- Every registered platform's role mapping in one relation: the seeds
    seeds/platforms/<platform>/<platform>__role_mapping.csv, unioned over var unified_platforms
    (a registered platform without its seed fails the parse, naming the seed). -#}

with

unioned as (

    {{ union_platform_seeds('role_mapping', [
        'platform',
        'native_role',
        'role',
        'description'
    ]) }}

)

select * from unioned
