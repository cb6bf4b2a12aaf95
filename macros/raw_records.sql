{#- The raw record's columns (docs/raw_contract.md), in contract order: what every
    base_<platform>__records model selects from its raw source. -#}
{% macro raw_record_columns() -%}
    {%- set columns = [
        'platform', 'source_uri', 'record_locator', 'record_ordinal', 'record_kind', 'raw_text',
        'raw_bytes', 'raw_checksum', 'source_version', 'source_file_version', 'source_mtime',
        'source_size', 'extracted_at', 'run_id', 'extractor_version'
    ] -%}
    {{ columns | join(',\n    ') }}
{%- endmacro %}
