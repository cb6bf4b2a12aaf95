{#- `select` every column of a CTE plus three that guard JSON parsing of a raw text column:
    is_valid_json; json_root_type (object, array, string, ... or null when it does not parse);
    record_json (the text when it is a JSON object, else null, so that every json_* call on it
    is safe). The staging models that parse raw records start from it. -#}
{% macro select_json_guarded(from_cte, column='raw_text') -%}
    select
        *,
        case when is_valid_json then {{ json_type(column) }} end as json_root_type,
        case
            when is_valid_json and {{ json_type(column) }} = 'object' then {{ column }}
        end as record_json
    from (
        select
            *,
            {{ json_is_valid(column) }} as is_valid_json
        from {{ from_cte }}
    ) as validated
{%- endmacro %}
