{#- Content identity, the basis of level-2 (content hash) and level-3 (fuzzy) deduplication.

    A message's fingerprint is md5 of exactly:
        role | content_signature | epoch milliseconds of its timestamp ('' when unknown)
    where content_signature (int_message_contents_aggregated) is the message's blocks in order,
    one per line, each `<block_type>:<text>` (the text of text/thinking/tool_result blocks, the
    tool name of tool_use blocks, '' otherwise). Only strings the platforms wrote go in (never a
    database's JSON serialization, never a file path or a load time), so the same conversation
    hashes the same on DuckDB and PostgreSQL, on any machine, in any run.

    A conversation's content hash is SHA-256 of its message fingerprints concatenated in order
    (timestamp, then fingerprint for ties). -#}

{% macro message_fingerprint(role, content_signature, timestamp_expr) -%}
    {{ dbt.hash(dbt.concat([
        "coalesce(" ~ role ~ ", '')", "'|'",
        "coalesce(" ~ content_signature ~ ", '')", "'|'",
        "coalesce(cast(" ~ epoch_milliseconds(timestamp_expr) ~ " as " ~ dbt.type_string() ~ "), '')"
    ])) }}
{%- endmacro %}

{% macro conversation_content_hash(fingerprint, timestamp_expr) -%}
    {{ sha256_hex(listagg_ordered(fingerprint, "''", [timestamp_expr, fingerprint])) }}
{%- endmacro %}
