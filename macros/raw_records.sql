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


{#- The raw record's columns with their Spark SQL types (docs/raw_contract.md; the Arrow schema is
    extract/schema.py RAW_SCHEMA): the external tables Spark reads the lake through. -#}
{% macro raw_record_column_types() -%}
    {{ return({
        'platform': 'string', 'source_uri': 'string', 'record_locator': 'string',
        'record_ordinal': 'bigint', 'record_kind': 'string', 'raw_text': 'string',
        'raw_bytes': 'binary', 'raw_checksum': 'string', 'source_version': 'string',
        'source_file_version': 'int', 'source_mtime': 'timestamp', 'source_size': 'bigint',
        'extracted_at': 'timestamp', 'run_id': 'string', 'extractor_version': 'string',
        'original_checksum': 'string'
    }) }}
{%- endmacro %}


{#- The columns of the lake's _runs files (extract/schema.py RUNS_SCHEMA) with their Spark SQL types. -#}
{% macro extract_runs_column_types() -%}
    {{ return({
        'run_id': 'string', 'started_at': 'timestamp', 'finished_at': 'timestamp',
        'extractor_version': 'string', 'lake_uri': 'string', 'platforms': 'array<string>',
        'files_seen': 'bigint', 'files_new': 'bigint', 'files_grown': 'bigint',
        'files_rewritten': 'bigint', 'files_unchanged': 'bigint', 'files_failed': 'bigint',
        'rows_landed': 'bigint', 'bytes_read': 'bigint', 'error_count': 'bigint',
        'errors_json': 'string', 'platform_counts_json': 'string', 'status': 'string',
        'options_json': 'string', 'records_filtered': 'bigint', 'files_written': 'bigint',
        'bytes_written': 'bigint', 'discover_seconds': 'double', 'extract_seconds': 'double',
        'load_seconds': 'double', 'total_seconds': 'double', 'cpu_seconds': 'double',
        'peak_memory_bytes': 'bigint', 'files_json': 'string'
    }) }}
{%- endmacro %}
