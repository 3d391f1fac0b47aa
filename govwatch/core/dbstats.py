"""The query planner's statistics after a bulk write: what GovWatch does on each database, and why.

PostgreSQL: autovacuum analyzes a table once more than 10 % of it (plus 50 rows) changed, but in the
background, up to a minute or more later; an import of a million cases is followed at once by
queries of its own (the cases' evaluations linked, the figures folded, the pages). So a bulk write
ends with `ANALYZE` of exactly the tables autovacuum would analyze next. PostgreSQL's statistics
hold each column's most common values and a histogram, so its estimates for a rare value (a red
card among millions of cases without one) are right.

SQLite: nothing, on purpose. Debian's SQLite (3.40, as most builds) has no STAT4, so `ANALYZE`
stores only averages: "rows per distinct value" of each index's columns. GovWatch's state columns
are skewed (nearly every case has no card, nearly every review is 满意) and its lists and counts ask
for the rare values. With averages the planner takes `card = 'red'` for a quarter of the cases and
scans the table; without statistics it assumes an equality on an indexed column is selective, which
is what these queries need. Measured on a fifth of the demo province (docs/benchmarks.md, "SQLite
planner statistics"): after a full `ANALYZE` every page of the office and the supervisors cost about
0.4 s more CPU (a navigation count scanned 1.9 million cases) and the supervisors' reviews list went
from 0.16 s to 3.9 s; with the low-cardinality indexes' rows taken out, pages were still no faster.
The indexes are written for SQLite's default estimates instead, and `sqlite_stat1` is left absent.
"""

from __future__ import annotations

from django.db import connection

# A write of fewer rows than this leaves the statistics to autovacuum.
BULK_ROWS = 10_000


def stale_tables() -> list[str]:
    """PostgreSQL: the tables autovacuum would analyze next (its default threshold, 50 rows plus
    10 % of the table changed since the last analysis). Empty on SQLite (see the module)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            return []  # what this transaction wrote is not counted before it commits
        # The counts of this session's last transactions reach the view when it next goes idle.
        if connection.pg_version >= 150000:
            cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables"
            " WHERE schemaname = current_schema() AND n_mod_since_analyze > 50 + 0.1 * n_live_tup"
            " ORDER BY relname"
        )
        return [name for (name,) in cursor.fetchall()]


def refresh_statistics() -> list[str]:
    """After a bulk write: ANALYZE the tables whose statistics it made stale; returns their names."""
    tables = stale_tables()
    if tables:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return tables


def after_bulk_write(rows: int) -> list[str]:
    """Call after writing `rows` rows at once (an import, a rebuild of figures)."""
    return refresh_statistics() if rows >= BULK_ROWS else []
