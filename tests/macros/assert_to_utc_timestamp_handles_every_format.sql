{#- to_utc_timestamp reads every timestamp shape the platforms write: ISO-8601 with Z, with an
    offset, without a zone (read as UTC), epoch seconds, fractional epoch seconds and epoch
    milliseconds (told apart by size); garbage is null, never an error. Returns the failures. -#}

with

cases as (

    select '2026-10-27T10:00:00.500Z' as raw_value, '2026-10-27 10:00:00.5' as expected_utc
    union all
    select '2026-10-27T12:00:00.500+02:00', '2026-10-27 10:00:00.5'
    union all
    select '2026-10-27 10:00:00', '2026-10-27 10:00:00'
    union all
    -- .NET's 7 fraction digits: cut to microseconds, never rounded up
    select '2026-11-04T10:40:52.9930179Z', '2026-11-04 10:40:52.993017'
    union all
    select '1761559200', '2025-10-27 10:00:00'
    union all
    select '1761559200.25', '2025-10-27 10:00:00.25'
    union all
    select '1761559200250', '2025-10-27 10:00:00.25'
    union all
    select '[trimmed for fixture]', null
    union all
    select cast(null as {{ dbt.type_string() }}), null

),

converted as (

    select
        raw_value,
        expected_utc,
        {{ to_utc_timestamp('raw_value') }} as converted_at
    from cases

)

select *
from converted
where
    (expected_utc is null and converted_at is not null)
    or (expected_utc is not null and converted_at is null)
    or {{ milliseconds_between(
        to_utc_timestamp("expected_utc || 'Z'"), 'converted_at'
    ) }} != 0
