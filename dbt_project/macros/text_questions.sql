{# A post's text with its URLs (http:// or https:// up to the next space) removed, so a
   '?' inside a link's query string is not read as a question. #}
{% macro strip_urls(col) -%}
    regexp_replace(coalesce({{ col }}, ''), 'https?://\S+', '', 'g')
{%- endmacro %}

{# The text asks something: with URLs removed, it contains '?'. #}
{% macro is_question(col) -%}
    contains({{ strip_urls(col) }}, '?')
{%- endmacro %}
