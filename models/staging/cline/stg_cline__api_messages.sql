{#- One row per entry of a Cline api_conversation_history.json, every landed version. -#}
{{ cline_family_api_messages('cline') }}
