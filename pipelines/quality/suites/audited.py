"""The audits.yaml entries as the marts key them, for the suites' coverage rules (every
audited account has a row): platform:lower(handle), where a Bluesky entry given as a DID
(did:plc:...) takes the handle of the account with that id in marts.accounts, as the
marts resolve it (dbt macro names_account)."""


def audited_keys_sql(*, per_client: bool, with_period_only: bool = False) -> str:
    """SQL for the distinct keys ('client:' first when per_client) of config.audited_accounts;
    with_period_only keeps the entries of clients that have an audit period."""
    handle = "lower(ltrim(trim(a.handle), '@'))"
    resolved = (
        f"coalesce((select lower(m.handle) from marts.accounts as m "
        f"where m.platform = lower(trim(a.platform)) and m.account_id = {handle} "
        f"and {handle} like 'did:%' limit 1), {handle})"
    )
    key = f"lower(trim(a.platform)) || ':' || {resolved}"
    if per_client:
        key = f"a.client || ':' || {key}"
    where = (
        " where exists (select 1 from config.audit_periods as p where p.client = a.client)"
        if with_period_only
        else ""
    )
    return f"select distinct {key} from config.audited_accounts as a{where}"
