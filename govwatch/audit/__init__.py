"""The audit log: `record(...)` in the caller's transaction, `verify()` over the whole chain."""
