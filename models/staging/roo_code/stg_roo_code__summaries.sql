{#- Roo Code task titles and condense summaries. -#}
{{ cline_family_summaries('roo_code') }}
