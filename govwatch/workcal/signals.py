from django.dispatch import Signal

# Sent after the schedule of some years changed; `years` is the set of years. Deadlines that
# depended on those years (provisional ones) are recomputed by their owners.
schedule_changed = Signal()
