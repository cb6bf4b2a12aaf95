{#- One row per ChatGPT mapping node that has a message (every branch kept: edits and
    regenerations are sibling nodes), with the tree resolved: the message's parent message, whether
    it lies on the active path (`current_node` up through the parents), which tool call a tool
    message answers, and its time. A message without `create_time` takes its parent message's time,
    else the conversation's create_time (else update_time), and is flagged `timestamp_is_fallback`;
    it is never dropped. -#}

with recursive

conversations as (

    select * from {{ ref('stg_chatgpt__conversations') }}
    where parse_error is null

),

mapping_nodes as (

    select
        conversations.raw_checksum,
        conversations.platform,
        conversations.source_uri,
        conversations.record_locator,
        conversations.record_ordinal,
        conversations.source_file_version,
        conversations.run_id,
        conversations.extracted_at,
        conversations.native_session_id,
        conversations.current_node,
        conversations.default_model_slug,
        conversations.created_at as conversation_created_at,
        conversations.updated_at as conversation_updated_at,
        node.member_key as node_id,
        {{ json_text('node.member_json', ['parent']) }} as parent_node_id,
        case
            when {{ json_type('node.member_json', ['message']) }} = 'object'
                then {{ json_value('node.member_json', ['message']) }}
        end as message_json
    from conversations
    cross join lateral {{ json_each_member('conversations.conversation_json', ['mapping'], 'node') }}

),

tree_edges as (

    select distinct
        raw_checksum,
        node_id,
        parent_node_id
    from mapping_nodes

),

-- the active thread: current_node, then parent after parent (a node already walked ends it)
{{ recursive_walk(
    'active_path',
    ['raw_checksum', 'node_id'],
    'select distinct raw_checksum, current_node as node_id from conversations where current_node is not null',
    ['tree_edges.raw_checksum', 'tree_edges.parent_node_id as node_id'],
    'from active_path inner join tree_edges on active_path.raw_checksum = tree_edges.raw_checksum'
        ~ ' and active_path.node_id = tree_edges.node_id',
    node='node_id',
    step_node='tree_edges.parent_node_id',
    step_where='tree_edges.parent_node_id is not null'
) }},

messages as (

    select
        *,
        {{ json_text('message_json', ['id']) }} as message_id,
        {{ json_text('message_json', ['author', 'role']) }} as author_role,
        {{ json_text('message_json', ['author', 'name']) }} as author_name,
        coalesce({{ json_text('message_json', ['recipient']) }}, 'all') as recipient,
        {{ json_text('message_json', ['channel']) }} as channel,
        {{ json_text('message_json', ['status']) }} as status,
        {{ json_text('message_json', ['content', 'content_type']) }} as content_type,
        {{ json_value('message_json', ['content']) }} as content_json,
        {{ json_text('message_json', ['metadata', 'model_slug']) }} as model_slug,
        {{ json_text('message_json', ['metadata', 'request_id']) }} as request_id,
        {{ json_text('message_json', ['metadata', 'finish_details', 'type']) }} as finish_type,
        {{ json_text('message_json', ['metadata', 'aggregate_result', 'status']) }}
            as aggregate_result_status,
        {{ try_cast_double(json_text('message_json', ['weight'])) }} as weight,
        {{ json_text('message_json', ['end_turn']) }} = 'true' as is_end_turn,
        coalesce(
            {{ json_text('message_json', ['metadata', 'is_visually_hidden_from_conversation']) }} = 'true',
            false
        ) as is_visually_hidden,
        {{ json_text('message_json', ['create_time']) }} as create_time_text,
        {{ to_utc_timestamp(json_text('message_json', ['create_time'])) }} as message_created_at,
        coalesce(
            {{ json_text('message_json', ['author', 'role']) }} = 'assistant'
            and coalesce({{ json_text('message_json', ['recipient']) }}, 'all') != 'all',
            false
        ) as is_tool_call
    from mapping_nodes
    where message_json is not null

),

resolved as (

    select
        messages.*,
        parent.node_id as parent_message_node_id,
        parent.message_created_at as parent_created_at,
        case
            when coalesce(messages.author_role, 'missing') != 'tool' then null
            when parent.is_tool_call then parent.node_id
            when parent.author_role = 'tool' and grandparent.is_tool_call then grandparent.node_id
            when
                parent.author_role = 'tool'
                and grandparent.author_role = 'tool'
                and great_grandparent.is_tool_call
                then great_grandparent.node_id
        end as tool_call_node_id,
        active_path.node_id is not null as is_on_active_path
    from messages
    left join messages as parent
        on
            messages.run_id = parent.run_id
            and messages.source_uri = parent.source_uri
            and messages.record_locator = parent.record_locator
            and messages.parent_node_id = parent.node_id
    left join messages as grandparent
        on
            parent.run_id = grandparent.run_id
            and parent.source_uri = grandparent.source_uri
            and parent.record_locator = grandparent.record_locator
            and parent.parent_node_id = grandparent.node_id
    left join messages as great_grandparent
        on
            grandparent.run_id = great_grandparent.run_id
            and grandparent.source_uri = great_grandparent.source_uri
            and grandparent.record_locator = great_grandparent.record_locator
            and grandparent.parent_node_id = great_grandparent.node_id
    left join active_path
        on
            messages.raw_checksum = active_path.raw_checksum
            and messages.node_id = active_path.node_id

),

final as (

    select
        ---------- lineage
        platform,
        raw_checksum,
        source_uri,
        record_locator,
        record_ordinal,
        source_file_version,
        run_id,
        extracted_at,

        ---------- ids
        native_session_id || ':' || node_id as native_message_id,
        native_session_id,
        node_id,
        message_id,
        parent_node_id,
        case
            when parent_message_node_id is not null
                then native_session_id || ':' || parent_message_node_id
        end as native_parent_message_id,
        case
            when tool_call_node_id is not null
                then native_session_id || ':' || tool_call_node_id
        end as tool_call_native_message_id,

        ---------- strings
        author_role,
        author_name,
        recipient,
        channel,
        status,
        content_type,
        content_json,
        model_slug,
        case
            when author_role = 'assistant' then coalesce(model_slug, default_model_slug)
            else model_slug
        end as model,
        request_id,
        finish_type,
        aggregate_result_status,

        ---------- numerics
        weight,

        ---------- booleans
        is_tool_call,
        is_end_turn,
        is_visually_hidden,
        case when current_node is not null then is_on_active_path end as is_active_path,
        message_created_at is null as timestamp_is_fallback,

        ---------- timestamps
        create_time_text,
        case
            when message_created_at is not null then 'message'
            when parent_created_at is not null then 'parent'
            when conversation_created_at is not null then 'conversation_create_time'
            when conversation_updated_at is not null then 'conversation_update_time'
        end as timestamp_source,
        coalesce(
            message_created_at, parent_created_at, conversation_created_at, conversation_updated_at
        ) as occurred_at,

        ---------- the message
        message_json

    from resolved

)

select * from final
