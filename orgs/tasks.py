"""Background tasks of the orgs app (registered with ``core.tasks``)."""

from core.imports.uploads import IMPORT_TASK, run_import_task
from core.tasks import register_task
from orgs import resources  # noqa: F401  (registers the member and organization import templates)

register_task(IMPORT_TASK)(run_import_task)
