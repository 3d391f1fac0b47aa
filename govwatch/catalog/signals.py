from django.dispatch import Signal

# Sent, inside the transaction that changed them, when items' promised days changed (an import, the
# admin); `items` maps each item's id to (old, new) promised days. The owners of deadlines counted
# from them (the cases) recompute the open ones and answer how many they moved.
promised_days_changed = Signal()


def promised_days_changed_for(items: dict[int, tuple[int, int]]) -> int:
    """Tell the owners; returns how many open deadlines they recomputed."""
    if not items:
        return 0
    return sum(n or 0 for _, n in promised_days_changed.send(sender=None, items=items))
