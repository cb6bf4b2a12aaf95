{#- One row per ClineMessage of a Cline ui_messages.json, every landed version. -#}
{{ cline_family_ui_messages('cline') }}
