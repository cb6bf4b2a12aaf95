{#- Tokens, cost, conversations and messages by calendar month x platform x model, from the messages mart.
    The calendar month holds the message's calendar date in the `reporting_timezone` var (default UTC),
    as usage_daily does. Only messages that carry usage count tokens; every message counts in
    `messages`. -#}

{{ usage_by_period('month_start', "cast(" ~ dbt.date_trunc('month', to_local_date('timestamp')) ~ " as date)") }}
