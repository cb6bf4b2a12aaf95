{#- One row per PlainChat line, parsed (parse_error when it is not a JSON object). -#}

with

records as (

    select * from {{ ref('base_plainchat__records') }}

),

parsed as (

    select
        *,
        case
            when not {{ json_is_valid('raw_text') }} then 'not valid JSON'
            when {{ json_type('raw_text') }} <> 'object' then 'not a JSON object'
            when {{ json_text('raw_text', ['id']) }} is null then 'no message id'
        end as parse_error
    from records

)

select
    platform,
    source_uri,
    record_locator,
    record_ordinal,
    record_kind,
    raw_checksum,
    source_file_version,
    extracted_at,
    run_id,
    parse_error,
    case when parse_error is null then {{ json_text('raw_text', ['session']) }} end as session_id,
    case when parse_error is null then {{ json_text('raw_text', ['id']) }} end as message_id,
    case when parse_error is null then {{ json_text('raw_text', ['role']) }} end as role,
    case when parse_error is null then {{ json_text('raw_text', ['text']) }} end as message_text,
    case when parse_error is null then {{ json_text('raw_text', ['model']) }} end as model,
    case
        when parse_error is null then {{ json_text('raw_text', ['ts']) }}
    end as ts_text,
    case
        when parse_error is null
            then {{ try_cast_bigint(json_text('raw_text', ['usage', 'input'])) }}
    end as input_tokens,
    case
        when parse_error is null
            then {{ try_cast_bigint(json_text('raw_text', ['usage', 'output'])) }}
    end as output_tokens
from parsed
