{#- dbt's relationships test compares one column; an account is (platform, account_id),
    so a child row must find a parent with every listed column equal. A row with a
    NULL in any listed column points at nothing and is skipped, as in relationships. -#}
{#- {{ model }} is wrapped: with a `where` config it is an aliased subquery already. -#}
{% test composite_relationships(model, to, columns) %}
select child.*
from (select * from {{ model }}) as child
where {% for c in columns %}child.{{ c }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
  and not exists (
    select 1
    from {{ to }} as parent
    where {% for c in columns %}parent.{{ c }} = child.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
  )
{% endtest %}
