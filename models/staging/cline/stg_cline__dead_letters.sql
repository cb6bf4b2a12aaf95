{#- Cline records that cannot become part of a conversation, with the reason. -#}
{{ cline_family_dead_letters('cline', with_sdk=true) }}
