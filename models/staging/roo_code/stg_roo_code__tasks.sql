{#- One row per Roo Code task: what its metadata files say (title, workspace, model, index totals). -#}
{{ cline_family_tasks('roo_code') }}
