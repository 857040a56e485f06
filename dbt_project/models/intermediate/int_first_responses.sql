-- One row per inbound message with the addressed account's first direct answer: the
-- answer columns of int_inbound_messages, which computes them in the same pass (a
-- separate table meant writing every message twice).
{{ config(materialized='view') }}

select
    platform,
    account_key,
    account_id,
    post_id,
    author_account_id,
    created_at,
    answered,
    first_response_at,
    first_response_min,
    _target_hash,
    _built_at
from {{ ref('int_inbound_messages') }}
