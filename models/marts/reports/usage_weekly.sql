{#- Tokens, cost, conversations and messages by ISO week (starting Monday) x platform x model, from the messages mart.
    The ISO week (starting Monday) holds the message's calendar date in the `reporting_timezone` var (default UTC),
    as usage_daily does. Only messages that carry usage count tokens; every message counts in
    `messages`. -#}

{{ usage_by_period('week_start', "cast(" ~ dbt.date_trunc('week', to_local_date('timestamp')) ~ " as date)") }}
