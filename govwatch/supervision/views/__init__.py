"""The e-supervision pages (电子监察): board, unit inbox, orders, outbox, notification texts.

Every page takes its rows from `visible_to(scope(user))` and one object through its `access_*`
helper; every change goes through a service (`orders.do_*`, `outbox.do_*`), which checks the
requesting person itself and audits the change.
"""
