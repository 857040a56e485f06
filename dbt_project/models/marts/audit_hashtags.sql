-- One row per client, audit period, audited account and hashtag it posted with in the
-- period: marts.brand_hashtags over the period (macros/hashtags.sql), for the report's
-- list of the tags a brand carried a conversation in and those it only broadcast into.
{% set scope %}
    select
        client,
        period_start,
        period_end,
        account_key,
        platform,
        account_id,
        handle,
        period_start as window_start,
        period_end as window_end
    from {{ ref('int_audit__accounts') }}
    where account_id is not null
{% endset %}

{{ hashtag_figures(scope, ['client', 'period_start', 'period_end', 'account_key']) }}
