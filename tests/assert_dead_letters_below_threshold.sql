{#- Reports the records staging could not use. Every dead letter is a warning (their count shows in
    the build's output, the rows in dead_letter_records with their reason); past the var
    dead_letter_error_threshold the build fails: so many unusable records mean a format changed
    or a parser broke, and the marts would silently miss data. -#}
{{ config(
    severity='error',
    warn_if='>0',
    error_if='>' ~ var('dead_letter_error_threshold', 1000)
) }}

select
    dead_letter_id,
    platform,
    source_uri,
    record_locator,
    reason
from {{ ref('dead_letter_records') }}
