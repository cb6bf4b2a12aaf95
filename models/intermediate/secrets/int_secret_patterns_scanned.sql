{#- One row: the fingerprint of the secret patterns the last complete scan used. Built after
    int_secret_findings_scanned, so only a scan that finished records its patterns; the next run of
    the scan reads it (secret_patterns_changed) and scans everything again when the seed's
    patterns differ. -#}

-- depends_on: {{ ref('int_secret_findings_scanned') }}
{{ config(materialized='table') }}

{{ secret_patterns_fingerprint_sql() }}
