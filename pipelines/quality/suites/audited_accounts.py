"""marts.audited_accounts: one row per client, role and account audits.yaml names. The
grain is unique, client, role, brand and handle are known, and every audits.yaml entry
has a row (keyed as the other suites key them, a DID by its account's handle)."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.audited import audited_keys_sql
from pipelines.quality.suites.base import MartSuite

SUITE = MartSuite(
    mart="audited_accounts",
    key_columns=("client", "role", "platform", "handle"),
    guards=lambda: [
        g.not_null("client", "role", "brand_name", "platform", "handle"),
        g.derive(account_key="coalesce(account_id, '@' || lower(handle))"),
        g.unique("client", "role", "platform", "account_key"),
        g.contains_all(
            "audit_key", "client || ':' || platform || ':' || lower(handle)", "audited_keys"
        ),
    ],
    parameters_sql={"audited_keys": audited_keys_sql(per_client=True)},
    description="GX suite: every audits.yaml entry, once per client and role.",
)
