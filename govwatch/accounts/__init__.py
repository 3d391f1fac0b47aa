"""People and permissions: roles bound to a unit of the org tree, and the one permission layer."""
