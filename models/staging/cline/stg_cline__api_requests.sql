{#- One row per api_req_started of the latest Cline ui_messages.json of each task: usage,
    normalized, and the API-history entry it produced. -#}
{{ cline_family_api_requests('cline') }}
