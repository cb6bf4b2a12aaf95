{#- One row per entry of a Roo Code api_conversation_history.json, every landed version. -#}
{{ cline_family_api_messages('roo_code') }}
