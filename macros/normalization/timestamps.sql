{#- Any timestamp a platform writes -> UTC timestamp with time zone:
    ISO-8601 text with any offset (or none: read as UTC), epoch seconds, epoch milliseconds (told
    apart by size: |x| >= 1e11 is milliseconds, i.e. after 1973-03-03 in ms, year 5138 in s) and
    fractional epoch seconds. Fractions of a second past microseconds (.NET writes 7 digits) are
    cut, not rounded, the same way on every adapter. Anything else -> null (never an error). -#}
{% macro to_utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'ai_conversations')(expr)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(expr) -%}{{ _not_implemented('to_utc_timestamp') }}{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expr) -%}
    case
        when {{ regex_full_match("trim(cast(" ~ expr ~ " as varchar))", "-?[0-9]+(\\.[0-9]+)?") }}
            then to_timestamp(
                case
                    when abs(cast(trim(cast({{ expr }} as varchar)) as double)) >= 100000000000
                        then cast(trim(cast({{ expr }} as varchar)) as double) / 1000.0
                    else cast(trim(cast({{ expr }} as varchar)) as double)
                end
            )
        else try_cast(regexp_replace(cast({{ expr }} as varchar), '(\.[0-9]{6})[0-9]+', '\1') as timestamptz)
    end
{%- endmacro %}

{% macro postgres__to_utc_timestamp(expr) -%}
    case
        when {{ regex_full_match("trim(cast(" ~ expr ~ " as text))", "-?[0-9]+(\\.[0-9]+)?") }}
            then to_timestamp(
                case
                    when abs(cast(trim(cast({{ expr }} as text)) as double precision)) >= 100000000000
                        then cast(trim(cast({{ expr }} as text)) as double precision) / 1000.0
                    else cast(trim(cast({{ expr }} as text)) as double precision)
                end
            )
        else {{ target.schema }}.try_cast_timestamptz(
            regexp_replace(cast({{ expr }} as text), '(\.[0-9]{6})[0-9]+', '\1')
        )
    end
{%- endmacro %}

{# Spark: epoch numbers through whole microseconds (timestamp_seconds would truncate the float);
   text through try_to_timestamp, which reads an ISO-8601 offset (or none: the session time zone,
   UTC in the spark profile) and gives null instead of an error #}
{% macro spark__to_utc_timestamp(expr) -%}
    case
        when {{ regex_full_match("trim(cast(" ~ expr ~ " as string))", "-?[0-9]+(\\.[0-9]+)?") }}
            then timestamp_micros(cast(round(
                case
                    when abs(cast(trim(cast({{ expr }} as string)) as double)) >= 100000000000
                        then cast(trim(cast({{ expr }} as string)) as double) * 1000.0
                    else cast(trim(cast({{ expr }} as string)) as double) * 1000000.0
                end
            ) as bigint))
        else try_to_timestamp(regexp_replace(cast({{ expr }} as string), '(\.[0-9]{6})[0-9]+', '$1'))
    end
{%- endmacro %}
