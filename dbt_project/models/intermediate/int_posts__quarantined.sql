-- One row per stored post that breaks the source contract, with why. These posts stay
-- here for review and are left out of every metric (int_posts__current drops them): a
-- post without an author cannot be attributed, one without a time cannot be placed in a
-- period or timed, and a reply dated before the post it answers would make a negative
-- response time. Parsers already reject what they cannot read (canonical.rejects); this
-- catches what a source delivered well-formed but wrong.
with posts as (
    select * from {{ ref('stg_canonical__posts') }}
),

checked as (
    select
        p.platform,
        p.post_id,
        p.account_id,
        p.created_at,
        p.in_reply_to_post_id,
        parent.created_at as parent_created_at,
        p.raw_file_id,
        list_filter([
            case when nullif(trim(p.post_id), '') is null then 'missing post_id' end,
            case when nullif(trim(p.account_id), '') is null then 'missing account_id' end,
            case when p.created_at is null then 'missing created_at' end,
            -- the version the source says was replied to, not the latest edit of it
            case when p.created_at < parent.created_at then 'reply predates its parent' end
        ], lambda r: r is not null) as reasons
    from posts as p
    left join posts as parent
        on parent.platform = p.platform and parent.post_id = p.in_reply_to_post_id
)

select
    platform,
    post_id,
    account_id,
    created_at,
    in_reply_to_post_id,
    parent_created_at,
    array_to_string(reasons, '; ') as reason,
    raw_file_id
from checked
where len(reasons) > 0
