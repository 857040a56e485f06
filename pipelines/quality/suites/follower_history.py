"""marts.follower_history: one row per snapshot of every measured account. The grain is
unique and known, counts are whole and >= 0 (NULL when the source gave none), each
change equals the count minus the account's previous snapshot's (NULL on the first),
and every measured account with a snapshot has rows."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

GRAIN = ("platform", "account_id", "observed_at")
PREVIOUS = "over (partition by platform, account_id order by observed_at)"


def _change(column: str):
    return g.computed(
        f"{column}_change", f"{column} - lag({column}) {PREVIOUS}", min_value=None, integer=True
    )


SUITE = MartSuite(
    mart="follower_history",
    key_columns=GRAIN,
    guards=lambda: [
        g.not_null(*GRAIN, "handle"),
        g.unique(*GRAIN),
        g.count("followers", nullable=True),
        g.count("following", nullable=True),
        g.count("posts_count", nullable=True),
        _change("followers"),
        _change("following"),
        _change("posts_count"),
        # coverage: every measured account with a snapshot has its rows
        g.contains_all("account_key", "platform || ':' || account_id", "snapshotted_accounts"),
    ],
    parameters_sql={
        "snapshotted_accounts": "select distinct s.platform || ':' || s.account_id "
        "from staging.stg_canonical__account_snapshots as s "
        "inner join marts.conversation_metrics as c "
        "on c.platform = s.platform and c.account_id = s.account_id"
    },
    description="GX suite: every measured account's snapshots, counts and changes.",
)
