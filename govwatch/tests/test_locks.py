"""PostgreSQL refuses FOR UPDATE on the nullable side of an outer join, and on the other side it
locks the joined rows too (a unit, a region) so that unrelated work waits. SQLite ignores FOR
UPDATE, so only the PostgreSQL run would notice: every lock that also follows relations says
which rows it locks."""

import ast
from pathlib import Path

import govwatch

ROOT = Path(govwatch.__file__).parent


def _chain(node: ast.AST) -> list[ast.Call]:
    calls = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append(node)
        node = node.func.value
    return calls


def unscoped_locks(source: str) -> list[int]:
    """Lines where select_for_update() without of= meets select_related in one query chain."""
    found = []
    for node in ast.walk(ast.parse(source)):
        calls = _chain(node)
        names = {c.func.attr: c for c in calls}
        lock = names.get("select_for_update")
        if lock is not None and "select_related" in names and not any(k.arg == "of" for k in lock.keywords):
            found.append(node.lineno)
    return sorted(set(found))


def test_a_lock_with_related_rows_names_the_rows_it_locks():
    offenders = [
        f"{path.relative_to(ROOT.parent)}:{line}"
        for path in ROOT.rglob("*.py")
        for line in unscoped_locks(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_lock_check_sees_a_chain_in_either_order():
    assert unscoped_locks("Plan.objects.select_for_update().select_related('unit').get(pk=1)") == [1]
    assert unscoped_locks("Plan.objects.select_related('unit').select_for_update().get(pk=1)") == [1]
    assert unscoped_locks("Plan.objects.select_for_update(of=('self',)).select_related('unit').get()") == []
    assert unscoped_locks("Plan.objects.select_for_update().get(pk=1)") == []
