"""The e-supervision pages (电子监察): board, unit inbox, orders, outbox, notification texts.

Every page takes its rows from `scope(user)` and asks `may(user, ...)` before a change; every
change goes through a service (`orders.do_*`, `outbox.do_requeue`) with the requesting person as
the audited actor.
"""
