-- One row per stored post version, resolved once: its kind, its reply target mapped
-- through edits (so conversations survive them), who it replies to, whether a later
-- edit superseded it and whether it breaks the source contract. int_posts__current
-- (the posts that count) and int_posts__quarantined (those that break the contract)
-- are views over it, so the one big self-join on the parent runs once per build.
--
-- The contract (see int_posts__quarantined.yml): no post without id, author or time
-- may count, and a reply dated before the post it answers would make a negative
-- response time. Parsers already reject what they cannot read (canonical.rejects);
-- this catches what a source delivered well-formed but wrong.
--
-- Narrow on purpose: the text and the references no model reads (conversation, quote,
-- repost ids, the source's reply-to account) stay in canonical.posts and marts.posts
-- (a view) joins them back. Every column here is written for every post on a full
-- build: at 10M posts each one costs about a quarter of a second, the text far more.
--
-- Incremental: a daily run recomputes only the posts from files loaded since the last
-- run (their raw_file_id is new here) and the posts whose result they can change: the
-- other versions of their edit chains (superseded or not) and the replies to any of
-- those (the parent's author, its time and so the contract).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['platform', 'post_id'],
) }}

-- Not materialized: several branches read it, and a copy of every post would cost more
-- memory than scanning the table again.
with posts as not materialized (
    select
        platform, post_id, account_id, created_at, in_reply_to_post_id,
        in_reply_to_account_id, quoted_post_id, reposted_post_id, mentions, raw_file_id
    from {{ ref('stg_canonical__posts') }}
),

-- Only what the parent lookup needs, so the big self-join carries no payload.
parents as not materialized (
    select platform, post_id, account_id, created_at from {{ ref('stg_canonical__posts') }}
),

edits as (
    select * from {{ ref('int_posts__edit_chains') }}
),

{% if is_incremental() %}
new_files as materialized (
    select distinct raw_file_id from {{ ref('stg_canonical__posts') }}
    except
    select distinct raw_file_id from {{ this }}
),

changed as (
    select platform, post_id
    from posts
    where raw_file_id in (select raw_file_id from new_files)
),

changed_versions as (
    select platform, post_id from changed
    union
    select e.platform, e.post_id
    from edits as e
    inner join edits as ce
        on ce.platform = e.platform and ce.chain_id = e.chain_id
    inner join changed as c
        on c.platform = ce.platform and c.post_id = ce.post_id
),

-- Materialized: its exact (small) size lets DuckDB build the join below on it rather
-- than on every stored post (1 s instead of 6 s at 10M posts).
affected as materialized (
    select platform, post_id from changed_versions
    union
    select p.platform, p.post_id
    from posts as p
    inner join changed_versions as v
        on v.platform = p.platform and v.post_id = p.in_reply_to_post_id
),
{% endif %}

resolved as (
    select
        p.*,
        coalesce(pe.current_post_id, p.in_reply_to_post_id) as parent_post_id,
        coalesce(e.is_superseded, false) as is_superseded
    from posts as p
    {% if is_incremental() %}
    inner join affected as a
        on a.platform = p.platform and a.post_id = p.post_id
    {% endif %}
    left join edits as e
        on e.platform = p.platform and e.post_id = p.post_id
    left join edits as pe
        on pe.platform = p.platform and pe.post_id = p.in_reply_to_post_id
),

-- The contract judges a reply against the version the source says was replied to, not
-- the latest edit of it: when the two differ, that version's time comes from here (the
-- stored edit versions: few).
edited_parents as (
    select p.platform, p.post_id, p.created_at
    from parents as p
    where exists (
        select 1 from edits as e where e.platform = p.platform and e.post_id = p.post_id
    )
),

joined as (
    select
        r.*,
        parent.account_id as parent_account_id,
        case
            when r.parent_post_id is distinct from r.in_reply_to_post_id then ep.created_at
            else parent.created_at
        end as parent_created_at
    from resolved as r
    left join parents as parent
        on parent.platform = r.platform and parent.post_id = r.parent_post_id
    left join edited_parents as ep
        on ep.platform = r.platform and ep.post_id = r.in_reply_to_post_id
        and r.parent_post_id is distinct from r.in_reply_to_post_id
),

judged as (
    select
        *,
        nullif(array_to_string(list_filter([
            case when nullif(trim(post_id), '') is null then 'missing post_id' end,
            case when nullif(trim(account_id), '') is null then 'missing account_id' end,
            case when created_at is null then 'missing created_at' end,
            case when created_at < parent_created_at then 'reply predates its parent' end
        ], lambda x: x is not null), '; '), '') as quarantine_reason
    from joined
)

select
    platform,
    post_id,
    account_id,
    created_at,
    -- A retweet that is also flagged as a reply still only amplifies, and a reply that
    -- quotes is still a reply: the first matching reference wins.
    case
        when reposted_post_id is not null then 'retweet'
        when in_reply_to_post_id is not null then 'reply'
        when quoted_post_id is not null then 'quote'
        else 'original'
    end as kind,
    parent_post_id as in_reply_to_post_id,
    -- the reference as the source gave it, kept only where edits mapped it elsewhere
    case
        when parent_post_id is distinct from in_reply_to_post_id then in_reply_to_post_id
    end as source_in_reply_to_post_id,
    -- The stored parent's author is authoritative; the source's in_reply_to_account_id
    -- only fills in when the parent was never stored.
    coalesce(parent_account_id, in_reply_to_account_id) as replied_to_account_id,
    parent_created_at,
    mentions,
    is_superseded,
    quarantine_reason,
    not is_superseded and quarantine_reason is null as counts,
    -- bookkeeping for the incremental runs (see macros/incremental_helpers.sql)
    raw_file_id,
    now() as _built_at
from judged
