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

{# A fingerprint of one measured account as inbound matching sees it (key, id and
   handle), stored on each int_inbound_messages / int_first_responses row. When an
   account is added or its id or handle changes, only the messages that reach it are
   matched again; rows of an account removed or changed are deleted
   (delete_rows_of_changed_targets). A new brand no longer re-matches every message. #}
{% macro conversation_target_hash(t) -%}
    hash({{ t }}.platform || '|' || {{ t }}.account_key || '|' || coalesce({{ t }}.account_id, '')
        || '|' || coalesce(lower({{ t }}.handle), ''))
{%- endmacro %}

{# The measured accounts int_inbound_messages matched on its last run: a bookkeeping
   table its post_hook rewrites (not a dbt model: it is the model's own memory, like
   its _built_at column). #}
{% macro matched_targets_relation() -%}
    {{ api.Relation.create(database=this.database, schema=this.schema,
                           identifier='int_inbound_messages__matched_targets') }}
{%- endmacro %}

{# Named, not ref()'d, for the same reason as in delete_posts_that_no_longer_count. #}
{% macro delete_rows_of_changed_targets(relation) -%}
    {%- set targets = api.Relation.create(
        database=relation.database, schema='intermediate', identifier='int_conversation_accounts') -%}
    delete from {{ relation }} as r
    where not exists (
        select 1 from {{ targets }} as t
        where t.platform = r.platform and t.account_key = r.account_key
          and {{ conversation_target_hash('t') }} = r._target_hash
    )
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

{# The raw files int_posts__quarantined has checked: a bookkeeping table its post_hook
   rewrites, so a daily run checks only posts from files it has not seen. #}
{% macro checked_files_relation() -%}
    {{ api.Relation.create(database=this.database, schema=this.schema,
                           identifier='int_posts__quarantined__checked_files') }}
{%- endmacro %}
