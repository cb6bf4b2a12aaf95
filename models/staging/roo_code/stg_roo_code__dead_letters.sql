{#- Roo Code records that cannot become part of a conversation, with the reason. -#}
{{ cline_family_dead_letters('roo_code') }}
