{# An audits.yaml entry (au: stg_config__audited_accounts) names an account (acc: with
   platform, account_id, handle_lower) when the platforms agree and the handles agree
   case-insensitively, or, for a Bluesky DID (did:plc:..., did:web:...), when the DID is
   the account's id: a DID survives a change of handle. int_conversation_accounts and
   int_audit__accounts resolve entries with it, so both give an entry the same key. #}
{% macro names_account(au, acc) -%}
    ({{ acc }}.platform = {{ au }}.platform
        and ({{ acc }}.handle_lower = {{ au }}.handle_lower
            or ({{ au }}.handle_lower like 'did:%' and {{ acc }}.account_id = {{ au }}.handle_lower)))
{%- endmacro %}
