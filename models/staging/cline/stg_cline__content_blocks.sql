{#- One row per content block of a Cline message, normalized to the unified block kinds. -#}
{{ cline_family_content_blocks('cline', with_sdk=true) }}
