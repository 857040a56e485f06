{#
  Helpers for the incremental models (int_posts__current, int_inbound_messages,
  int_first_responses, posts). Each of them stamps the rows it writes with
  _built_at = now() (the transaction start), so a model downstream finds the rows that
  changed since its own last run as those stamped later than its own newest row.
  `dbt build --full-refresh` (rapport build --full-refresh) rebuilds them all from
  scratch and gives the same rows.
#}

{# The newest _built_at in this model, or -infinity on the first run / full refresh. #}
{% macro last_built_at() -%}
    {%- if is_incremental() -%}
        (select coalesce(max(_built_at), '-infinity'::timestamptz) from {{ this }})
    {%- else -%}
        '-infinity'::timestamptz
    {%- endif -%}
{%- endmacro %}

{# A fingerprint of the measured accounts as inbound matching sees them (id and
   handle). When it changes (an account newly marked a brand, audits.yaml edited, a
   handle changed) every message must be matched again, so the model's pre_hook empties
   it and the run recomputes all of it. #}
{% macro conversation_targets_hash() -%}
    (select coalesce(hash(string_agg(
        platform || '|' || account_key || '|' || coalesce(account_id, '') || '|'
            || coalesce(lower(handle), ''),
        ',' order by platform, account_key
    )), 0) from {{ ref('int_conversation_accounts') }})
{%- endmacro %}

{# Rows of posts that no longer count (a later edit superseded them, or they were
   quarantined) leave the incremental models: a full build would not produce them.
   The two tables are named, not ref()'d: they always build before int_posts__current,
   which every caller depends on, and a ref here would make every unit test of the
   callers mock them. #}
{% macro delete_posts_that_no_longer_count(relation) -%}
    {%- set chains = api.Relation.create(
        database=relation.database, schema='intermediate', identifier='int_posts__edit_chains') -%}
    {%- set quarantined = api.Relation.create(
        database=relation.database, schema='intermediate', identifier='int_posts__quarantined') -%}
    delete from {{ relation }} as t
    using {{ chains }} as e
    where e.platform = t.platform and e.post_id = t.post_id and e.is_superseded;
    delete from {{ relation }} as t
    using {{ quarantined }} as q
    where q.platform = t.platform and q.post_id = t.post_id
{%- endmacro %}
