{#- One row per Cline task: what its metadata files say (title, workspace, model, index totals). -#}
{{ cline_family_tasks('cline', with_sdk=true) }}
