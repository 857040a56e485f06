-- X gives every edit a new post id and we may have stored several versions. Each id an
-- edit history names is mapped to the latest version we actually stored, so an edited
-- post counts once and a reply to an old version still finds the post that survives.
-- A version is superseded when a later version of its chain is stored (normally: it is
-- not the last element of another post's edit_history_post_ids).
with posts as (
    select platform, post_id, edit_history_post_ids
    from {{ ref('stg_canonical__posts') }}
),

versions as (
    select distinct
        platform,
        -- the original id is the one every version's history starts with
        edit_history_post_ids[1] as chain_id,
        unnest(edit_history_post_ids) as version_post_id,
        unnest(range(1, len(edit_history_post_ids) + 1)) as version_no
    from posts
    where len(edit_history_post_ids) > 1
),

-- Inconsistent histories must not duplicate an id: keep its latest position.
one_per_id as (
    select *
    from versions
    qualify row_number() over (
        partition by platform, version_post_id order by version_no desc, chain_id
    ) = 1
),

latest_stored as (
    select v.platform, v.chain_id, arg_max(v.version_post_id, v.version_no) as current_post_id
    from one_per_id as v
    inner join posts as p
        on p.platform = v.platform and p.post_id = v.version_post_id
    group by v.platform, v.chain_id
)

select
    v.platform,
    v.version_post_id as post_id,
    v.chain_id,
    v.version_no,
    l.current_post_id,
    v.version_post_id <> l.current_post_id as is_superseded
from one_per_id as v
inner join latest_stored as l
    on l.platform = v.platform and l.chain_id = v.chain_id
