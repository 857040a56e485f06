{#- A row-level invariant (e.g. "answered <= inbound"): fails on every row where the
    expression is false. NULL counts as passing, so "share between 0 and 1" need not
    restate that a share is NULL when its denominator is 0. -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), true)
{% endtest %}
