{#- One row per Roo Code message, in the unified message columns. -#}
{{ cline_family_messages('roo_code') }}
