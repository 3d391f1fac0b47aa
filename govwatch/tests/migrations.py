"""Migrating the test database back to an older schema and forward again, for the tests of data
migrations (what an upgrade does to the rows a database already holds).

Django's executor, migrating backwards, renders the models once at the first migration to undo
in the whole plan's order, then carries every later migration of the plan, undone or not, on the
rendered models, rendering the related models again at each step: with every app's model related
to `orgs.Unit`, that is most of the model graph a step. Undoing 12 migrations took 18 s of CPU,
nearly three times the 6.5 s of applying them again. The states before each migration are the
same computed without models (a few dictionaries); each is rendered only to undo its own
migration, as Django undoes it. About 1/5 of the time; the same schema and the same rows (the
undone migrations' reverse operations run as they do in `migrate`)."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class _Executor(MigrationExecutor):
    def _migrate_all_backwards(self, plan, full_plan, fake):
        to_undo = {migration for migration, _ in plan}
        applied = {
            self.loader.graph.nodes[key]
            for key in self.loader.applied_migrations
            if key in self.loader.graph.nodes
        }
        before = {}
        state = self._create_project_state()
        for migration, _ in full_plan:
            if not to_undo:
                break
            if migration in to_undo:
                before[migration] = state
                state = migration.mutate_state(state, preserve=True)
                to_undo.remove(migration)
            elif migration in applied:
                migration.mutate_state(state, preserve=False)
        for migration, _ in plan:
            before[migration].apps  # noqa: B018 -- rendered, as Django's own states are when undone
            self.unapply_migration(before[migration], migration, fake=fake)
        return None


def migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate the test database to `targets` (backwards or forwards); the models of that state."""
    executor = _Executor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest(*apps: str) -> list[tuple[str, str]]:
    """The newest migration of every app (of `apps` only, when given)."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    return [leaf for leaf in leaves if not apps or leaf[0] in apps]
