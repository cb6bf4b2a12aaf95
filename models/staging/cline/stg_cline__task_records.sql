{#- Every Cline raw record, JSON-guarded, with its task (macros/platforms/cline_family.sql). -#}
{{ cline_family_task_records('cline') }}
