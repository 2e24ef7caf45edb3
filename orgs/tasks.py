"""Background tasks of the orgs app (registered with ``core.tasks``)."""
