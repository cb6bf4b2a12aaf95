{#- One row per Cline message, in the unified message columns. -#}
{{ cline_family_messages('cline', with_sdk=true) }}
