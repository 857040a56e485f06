-- One row per post that counts: superseded edit versions and quarantined posts (see
-- int_posts__quarantined) dropped, each post given its kind, and its reply target
-- resolved through edits so conversations survive them.
--
-- Narrow on purpose: the text and other wide columns stay in canonical.posts and
-- marts.posts (a view) joins them back. Every column here is written for every post
-- on a full build, and the text alone would double its cost at 10M posts.
--
-- Incremental: a daily run recomputes only the posts from files loaded since the last
-- run (their raw_file_id is new here) and the posts whose result they can change:
-- replies to them (parent's author, quarantine) and the other versions of their edit
-- chains. Superseded and quarantined posts are deleted afterwards.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['platform', 'post_id'],
    post_hook="{{ delete_posts_that_no_longer_count(this) }}",
) }}

-- Not materialized: several branches read it, and a copy of every post would cost more
-- memory than scanning the table again.
with posts as not materialized (
    select
        platform, post_id, account_id, created_at, in_reply_to_post_id,
        in_reply_to_account_id, conversation_id, quoted_post_id, reposted_post_id,
        mentions, raw_file_id
    from {{ ref('stg_canonical__posts') }}
),

-- Only what the parent lookup needs, so the big self-join carries no payload.
parents as (
    select platform, post_id, account_id from {{ ref('stg_canonical__posts') }}
),

edits as (
    select * from {{ ref('int_posts__edit_chains') }}
),

quarantined as (
    select platform, post_id from {{ ref('int_posts__quarantined') }}
),

{% if is_incremental() %}
stored_files as (
    select distinct raw_file_id from {{ ref('stg_canonical__posts') }}
),

changed as (
    select platform, post_id
    from posts
    where raw_file_id in (
        select raw_file_id from stored_files
        except
        select raw_file_id from {{ this }}
    )
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

affected as (
    select platform, post_id from changed_versions
    union
    select p.platform, p.post_id
    from posts as p
    inner join changed_versions as v
        on v.platform = p.platform and v.post_id = p.in_reply_to_post_id
),
{% endif %}

current_posts as (
    select p.*
    from posts as p
    left join edits as e
        on e.platform = p.platform and e.post_id = p.post_id
    where not coalesce(e.is_superseded, false)
      and not exists (
          select 1 from quarantined as q
          where q.platform = p.platform and q.post_id = p.post_id
      )
      {% if is_incremental() %}
      and exists (
          select 1 from affected as a
          where a.platform = p.platform and a.post_id = p.post_id
      )
      {% endif %}
),

resolved as (
    select
        c.*,
        coalesce(pe.current_post_id, c.in_reply_to_post_id) as parent_post_id
    from current_posts as c
    left join edits as pe
        on pe.platform = c.platform and pe.post_id = c.in_reply_to_post_id
)

select
    r.platform,
    r.post_id,
    r.account_id,
    r.created_at,
    -- A retweet that is also flagged as a reply still only amplifies, and a reply that
    -- quotes is still a reply: the first matching reference wins.
    case
        when r.reposted_post_id is not null then 'retweet'
        when r.in_reply_to_post_id is not null then 'reply'
        when r.quoted_post_id is not null then 'quote'
        else 'original'
    end as kind,
    r.parent_post_id as in_reply_to_post_id,
    r.in_reply_to_account_id,
    -- The stored parent's author is authoritative; the source's in_reply_to_account_id
    -- only fills in when the parent was never stored.
    coalesce(parent.account_id, r.in_reply_to_account_id) as replied_to_account_id,
    r.conversation_id,
    r.quoted_post_id,
    r.reposted_post_id,
    r.mentions,
    -- bookkeeping for the incremental runs (see macros/incremental_helpers.sql)
    r.raw_file_id,
    now() as _built_at
from resolved as r
left join parents as parent
    on parent.platform = r.platform and parent.post_id = r.parent_post_id
