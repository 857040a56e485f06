{#
  dbt's own get_where_subquery, plus one placeholder: '{this}' in a test's `where`
  config stands for the relation under test. The incremental models' tests use it to
  check only the rows the latest run wrote:

      config: {where: "_built_at = (select max(_built_at) from {this})"}

  (each such model's YAML spells it once, as the anchor &latest_run, and its other tests
  refer to it as *latest_run).

  Every row a run writes carries that run's _built_at (one statement, one now()), and
  delete+insert removes the old row of every key it writes, so new rows can only clash
  with each other. A full build writes every row, so it still tests them all; a daily
  run tests its 1% instead of re-reading ten million posts per test.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set where = where | replace('{this}', relation | string) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
