{#
  Helpers for the incremental models (int_posts__resolved, int_inbound_messages,
  int_first_responses, post_mix). Each of them stamps the rows it writes with
  _built_at = now() (the transaction start), so a model downstream finds the rows that
  changed since its own last run as those stamped later than its own newest row.
  `dbt build --full-refresh` (rapport build --full-refresh) rebuilds them all from
  scratch and gives the same rows.
#}

{# The newest _built_at in this model, or -infinity on the first run / full refresh,
   or when the table predates its _built_at column (then everything counts as new). #}
{% macro last_built_at() -%}
    {%- if is_incremental() and '_built_at' in existing_columns() -%}
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

{# The columns {{ this }} has now ([] before its first run). #}
{% macro existing_columns() -%}
    {%- do return(adapter.get_columns_in_relation(this) | map(attribute='name') | list) -%}
{%- endmacro %}

{# A pre_hook: when an incremental table was written by an older release and lacks a
   column this release keeps its state in, its rows cannot be trusted or patched, so
   they are all deleted and the run recomputes everything (last_built_at() of an empty
   table is -infinity); dbt then gives the table its new shape
   (on_schema_change: sync_all_columns). Upgrading needs no --full-refresh. #}
{% macro reset_if_reshaped(required) -%}
    {%- if is_incremental() -%}
        {%- set have = existing_columns() -%}
        {%- if required | reject('in', have) | list | length > 0 -%}
            delete from {{ this }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{# Named, not ref()'d, for the same reason as in resolved_relation.
   Only the rows of targets whose fingerprint is gone are deleted: the distinct
   fingerprints stored are few, so a day with no change to the targets costs one scan of
   one column, not a join of every row. #}
{% macro delete_rows_of_changed_targets(relation) -%}
    {%- if '_target_hash' in existing_columns() -%}
    {%- set targets = api.Relation.create(
        database=relation.database, schema='intermediate', identifier='int_conversation_accounts') -%}
    delete from {{ relation }} as r
    using (
        select distinct platform, account_key, _target_hash from {{ relation }}
        except
        select platform, account_key, {{ conversation_target_hash('t') }} from {{ targets }} as t
    ) as stale
    where stale.platform = r.platform and stale.account_key = r.account_key
      and stale._target_hash = r._target_hash
    {%- endif -%}
{%- endmacro %}

{# int_posts__resolved in the database of `relation`, named, not ref()'d: it always
   builds before int_posts__current, which every caller depends on, and a ref here would
   make every unit test of the callers mock it. #}
{% macro resolved_relation(relation) -%}
    {%- do return(api.Relation.create(
        database=relation.database, schema='intermediate', identifier='int_posts__resolved')) -%}
{%- endmacro %}

{# Rows of posts that no longer count (a later edit superseded them, or they were
   quarantined) leave the incremental models: a full build would not produce them. #}
{% macro delete_posts_that_no_longer_count(relation) -%}
    {%- set resolved = resolved_relation(relation) -%}
    delete from {{ relation }} as t
    using {{ resolved }} as r
    where r.platform = t.platform and r.post_id = t.post_id and not r.counts
{%- endmacro %}

{# Rows of messages int_posts__resolved rewrote after the row was written that this run
   did not write again: the run matched the message afresh and it no longer reaches that
   account (a reloaded post lost its mention, a parent arrived by someone else), and
   delete+insert only replaces the keys it writes. Only the posts of resolved's latest
   run can be newer than a row here (older ones were handled by the run after them). #}
{% macro delete_rows_not_matched_again(relation) -%}
    {%- set resolved = resolved_relation(relation) -%}
    delete from {{ relation }} as t
    using (
        select platform, post_id, _built_at from {{ resolved }}
        where _built_at = (select max(_built_at) from {{ resolved }})
    ) as r
    where r.platform = t.platform and r.post_id = t.post_id and r._built_at > t._built_at
{%- endmacro %}
