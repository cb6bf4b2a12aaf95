{#- One row per ClineMessage of a Roo Code ui_messages.json, every landed version. -#}
{{ cline_family_ui_messages('roo_code') }}
