{#- Tokens, cost, conversations and messages by day x platform x model. Days are calendar days in
    the `reporting_timezone` var (default UTC): users' days are local. Only messages that carry
    usage count tokens; every message counts in `messages`. -#}

{{ usage_by_period('usage_date', to_local_date('timestamp')) }}
