{#
  The hashtag figures of marts.brand_hashtags (all time) and marts.audit_hashtags (per
  audit period), written once. `scope` is a query with one row per account to measure
  and window: `keys` (the columns naming a row besides platform and account_id),
  platform, account_id, handle, window_start and window_end. The account's posts carrying
  a tag count when posted in (window_start, window_end]; the replies others wrote to them
  count whenever written (as a post's reply count does); the other accounts' exchanges
  under the tag count when written in the window.
#}
{% macro hashtag_figures(scope, keys) -%}
{%- set k = keys | join(', ') ~ (', ' if keys else '') -%}
{%- set bk = [] -%}{%- for c in keys -%}{%- do bk.append('b.' ~ c) -%}{%- endfor -%}
{%- set bkeys = bk | join(', ') ~ (', ' if keys else '') -%}
with scope as (
    {{ scope }}
),

tagged as (
    select * from {{ ref('int_posts__hashtags') }}
),

brand_posts as (
    select {% for c in keys %}s.{{ c }}, {% endfor %}s.platform, s.account_id, s.window_start,
        s.window_end, t.post_id, t.hashtag
    from scope as s
    inner join tagged as t
        on t.platform = s.platform and t.account_id = s.account_id
        and t.created_at > s.window_start and t.created_at <= s.window_end
),

-- Replies by another account to a brand post carrying the tag (the reply itself need
-- not repeat the tag).
replies_from_others as (
    select {{ bkeys }}b.platform, b.account_id, b.hashtag, count(*) as replies_from_others
    from brand_posts as b
    inner join {{ ref('int_posts__current') }} as r
        on r.platform = b.platform and r.in_reply_to_post_id = b.post_id
    where r.account_id <> b.account_id and r.kind <> 'retweet'
    group by {{ bkeys }}b.platform, b.account_id, b.hashtag
),

-- Tagged replies to a tagged post, written and answered by two accounts other than the
-- brand (marts.hashtag_activity's conversation_replies without the brand's exchanges).
others_talking as (
    select {{ bkeys }}b.platform, b.account_id, b.hashtag, count(*) as others_conversation_replies
    from (
        select distinct {{ k }}platform, account_id, hashtag, window_start, window_end
        from brand_posts
    ) as b
    inner join tagged as c
        on c.platform = b.platform and c.hashtag = b.hashtag
        and c.created_at > b.window_start and c.created_at <= b.window_end
    where c.replies_same_hashtag
        and c.account_id <> c.parent_account_id
        and c.account_id <> b.account_id
        and c.parent_account_id <> b.account_id
    group by {{ bkeys }}b.platform, b.account_id, b.hashtag
),

counted as (
    select {{ k }}platform, account_id, hashtag, count(*) as posts
    from brand_posts
    group by {{ k }}platform, account_id, hashtag
)

select
    {{ k }}platform,
    account_id,
    s.handle,
    hashtag,
    c.posts,
    coalesce(r.replies_from_others, 0) as replies_from_others,
    coalesce(o.others_conversation_replies, 0) as others_conversation_replies,
    coalesce(r.replies_from_others, 0) + coalesce(o.others_conversation_replies, 0) > 0
        as carried_conversation
from counted as c
inner join scope as s
    using ({{ k }}platform, account_id)
left join replies_from_others as r
    using ({{ k }}platform, account_id, hashtag)
left join others_talking as o
    using ({{ k }}platform, account_id, hashtag)
{%- endmacro %}
