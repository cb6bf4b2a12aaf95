{#- One row per content block of a Roo Code message, normalized to the unified block kinds. -#}
{{ cline_family_content_blocks('roo_code') }}
