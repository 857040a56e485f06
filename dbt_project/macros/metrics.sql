{#
  The metric definitions: every formula a mart reports is written once, here, and the
  marts (all-time: post_mix, conversation_metrics, accounts; per period: audit_*) call
  it. Column descriptions are shared the same way (models/marts/_metric_docs.md).
  pipelines/quality/suites/ checks the results against their inputs (a share equals its
  numerator / nullif(denominator, 0)); the report (pipelines/reports/findings.py) only
  compares figures these macros computed.
#}

{# a / b; NULL when b is 0 or unknown (nothing to divide). #}
{% macro ratio(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{# Count columns over posts (one row per post, with `kind` and `is_broadcast`), by name:
   posts, originals, replies, retweets, quotes, broadcast_posts. #}
{% macro post_counts(columns, alias=none) -%}
    {%- set p = alias ~ '.' if alias else '' -%}
    {%- set kinds = {'originals': 'original', 'replies': 'reply', 'retweets': 'retweet', 'quotes': 'quote'} -%}
    {%- set out = [] -%}
    {%- for c in columns -%}
        {%- if c == 'posts' -%}
            {%- do out.append('count(*) as posts') -%}
        {%- elif c == 'broadcast_posts' -%}
            {%- do out.append('count(*) filter (where ' ~ p ~ 'is_broadcast) as broadcast_posts') -%}
        {%- else -%}
            {%- do out.append('count(*) filter (where ' ~ p ~ "kind = '" ~ kinds[c] ~ "') as " ~ c) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ out | join(',\n        ') }}
{%- endmacro %}

{# Share columns of posts, from count columns already computed:
   originals -> original_share, replies -> reply_share, retweets -> retweet_share,
   quotes -> quote_share, broadcast_posts -> broadcast_share,
   amplified -> amplify_share ((retweets + quotes) / posts: posts that pass others on). #}
{% macro post_shares(columns, posts='posts') -%}
    {%- set names = {
        'originals': 'original_share', 'replies': 'reply_share', 'retweets': 'retweet_share',
        'quotes': 'quote_share', 'broadcast_posts': 'broadcast_share',
        'amplified': 'amplify_share'} -%}
    {%- set out = [] -%}
    {%- for c in columns -%}
        {%- do out.append(ratio('retweets + quotes' if c == 'amplified' else c, posts) ~ ' as ' ~ names[c]) -%}
    {%- endfor -%}
    {{ out | join(',\n    ') }}
{%- endmacro %}

{# The post mix columns every post-mix mart reports, in their order: the counts, then
   the share of each kind, then broadcasts. #}
{% macro post_mix_columns(posts='posts') -%}
    posts,
    originals,
    replies,
    retweets,
    quotes,
    {{ post_shares(['originals', 'replies', 'retweets', 'quotes'], posts) }},
    broadcast_posts,
    {{ post_shares(['broadcast_posts'], posts) }}
{%- endmacro %}

{# A broadcast: an original that mentions no account but its author's own (compared
   case-insensitively). #}
{% macro is_broadcast(kind, mentions, author_handle_lower) -%}
    ({{ kind }} = 'original'
        and len([m for m in coalesce({{ mentions }}, []) if lower(m) is distinct from {{ author_handle_lower }}]) = 0)
{%- endmacro %}

{# Over inbound messages (one row each, with `answered` and `first_response_min`):
   inbound, answered and the first-response quantiles (unanswered messages have NULL
   minutes and are ignored by quantile_cont). #}
{% macro conversation_counts(alias=none, p90=true) -%}
    {%- set i = alias ~ '.' if alias else '' -%}
    count(*) as inbound,
    count(*) filter (where {{ i }}answered) as answered,
    quantile_cont({{ i }}first_response_min, 0.5) as median_first_response_min
    {%- if p90 %},
    quantile_cont({{ i }}first_response_min, 0.9) as p90_first_response_min
    {%- endif %}
{%- endmacro %}

{# answered / inbound; NULL when inbound = 0. #}
{% macro response_rate(answered='answered', inbound='inbound') -%}
    {{ ratio(answered, inbound) }}
{%- endmacro %}

{# followers / following; NULL when following = 0 or unknown. #}
{% macro follower_following_ratio(followers='followers', following='following') -%}
    {{ ratio(followers, following) }}
{%- endmacro %}

{# The legitimacy flags, on one profile (thresholds: dbt vars in dbt_project.yml). #}
{% macro legitimacy_flags(has_default_avatar, bio_empty, posts_count, followers, following) -%}
    {{ has_default_avatar }} as flag_default_avatar,
    {{ bio_empty }} as flag_empty_bio,
    {{ posts_count }} < {{ var('few_posts_threshold') }} as flag_few_posts,
    -- following = 0 is never "far more", even with no followers (0 >= 10 x 0)
    case
        when {{ following }} = 0 then false
        else {{ following }} >= {{ var('follows_far_more_multiple') }} * {{ followers }}
    end as flag_follows_far_more
{%- endmacro %}

{# Cresci et al. 2015's single rules ("Fame for sale: efficient detection of fake Twitter
   followers", Decision Support Systems 80), one boolean per rule the profile FAILS
   (failing = looks like a bought follower); NULL when the count is unknown. Thresholds:
   dbt vars cresci_min_followers, cresci_min_posts, cresci_followers_multiple. The rules
   "has bio" and "has avatar" are legitimacy_flags' flag_empty_bio and
   flag_default_avatar (the same definitions), so they are not repeated here. Each
   rule's MCC, as measured by Rapport on Cresci's labelled collections:
   pipelines/audience/single_rules.json (`rapport audience evaluate`). #}
{% macro cresci_rules(posts_count, followers, following) -%}
    {{ followers }} < {{ var('cresci_min_followers') }} as cresci_fewer_than_30_followers,
    {{ posts_count }} < {{ var('cresci_min_posts') }} as cresci_fewer_than_50_posts,
    -- fails "2 x followers >= friends"; 0 following never fails it
    {{ var('cresci_followers_multiple') }} * {{ followers }} < {{ following }}
        as cresci_follows_more_than_twice_followers
{%- endmacro %}

{# <column>_end - <column>_start over a period; NULL unless two different snapshots
   bound it (end_observed_at > start_observed_at). #}
{% macro period_change(column) -%}
    case when end_observed_at > start_observed_at then {{ column }}_end - {{ column }}_start end
{%- endmacro %}

{# engagements / engagement_posts. #}
{% macro engagement_per_post(engagements='engagements', engagement_posts='engagement_posts') -%}
    {{ ratio(engagements, engagement_posts) }}
{%- endmacro %}

{# engagement_per_post / followers x 1,000. #}
{% macro engagement_per_post_per_1k_followers(followers='followers_end') -%}
    {{ ratio(engagement_per_post(), followers) }} * 1000
{%- endmacro %}

{# The row `alias` (platform, account_id, a time `at`) belongs to the audit period and
   account of the int_audit__accounts row `a`: same account, `at` in (period_start,
   period_end]. #}
{% macro in_audit_period(alias, at='created_at') -%}
    {{ alias }}.platform = a.platform
        and {{ alias }}.account_id = a.account_id
        and {{ alias }}.{{ at }} > a.period_start
        and {{ alias }}.{{ at }} <= a.period_end
{%- endmacro %}

{# audit_weekly_trends: the row `alias` (of an int_audit__* model) is the spine row s's
   account and period, and `at` falls in s's week (week_start, week_end]. #}
{% macro in_audit_week(alias, at='created_at') -%}
    {{ alias }}.client = s.client
        and {{ alias }}.period_start = s.period_start
        and {{ alias }}.period_end = s.period_end
        and {{ alias }}.platform = s.platform
        and {{ alias }}.account_key = s.account_key
        and {{ alias }}.{{ at }} > s.week_start
        and {{ alias }}.{{ at }} <= s.week_end
{%- endmacro %}

{# The question figures of a mart that has them (an account all time, an audit period):
   the counts and their rate. #}
{% macro question_columns() -%}
    question_inbound,
    question_answered,
    {{ response_rate('question_answered', 'question_inbound') }} as question_response_rate
{%- endmacro %}

{# The first-contact and canned-reply figures of a mart that has them: the counts and
   each share of its whole (NULL when the whole is 0). #}
{% macro etiquette_columns() -%}
    first_contacts,
    first_contact_pitches,
    {{ ratio('first_contact_pitches', 'first_contacts') }} as first_contact_pitch_share,
    first_contact_amplify_requests,
    {{ ratio('first_contact_amplify_requests', 'first_contacts') }}
        as first_contact_amplify_request_share,
    text_replies,
    canned_replies,
    {{ ratio('canned_replies', 'text_replies') }} as canned_reply_share
{%- endmacro %}

{# A reply that mentions a third account: a handle (case-insensitive) that is neither
   the author's own nor that of the author it answers. The account connecting people to
   others. When whom it answers is unknown (no handle), who is third cannot be told: not
   one. `parent_handle_lower` is the answered author's lower-cased handle. #}
{% macro is_introduction(kind, mentions, parent_handle_lower, own_handle) -%}
    ({{ kind }} = 'reply' and {{ parent_handle_lower }} is not null
        and len([
            m for m in coalesce({{ mentions }}, [])
            if lower(m) <> {{ parent_handle_lower }} and lower(m) is distinct from lower({{ own_handle }})
        ]) > 0)
{%- endmacro %}

{# The thread figures of a mart that has them (an account all time, an audit period). #}
{% macro thread_columns() -%}
    threads,
    threads_brand_last_word,
    {{ ratio('threads_brand_last_word', 'threads') }} as threads_last_word_share
{%- endmacro %}

{# The hashtag figures of a mart that has them: the tags the account posted with, those
   of them that carried no conversation (it only broadcast into them), and their share. #}
{% macro hashtag_columns() -%}
    hashtags,
    hashtags_broadcast_only,
    {{ ratio('hashtags_broadcast_only', 'hashtags') }} as hashtag_broadcast_share
{%- endmacro %}
