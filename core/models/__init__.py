from core.models.base import OrgOwnedModel, ScopedModel, TimestampedModel
from core.models.calendar import Holiday
from core.models.changelog import ObjectChange
from core.models.notifications import Notification
from core.models.rules import Rule
from core.models.tasks import Task

__all__ = [
    "Holiday", "Notification", "ObjectChange", "OrgOwnedModel", "Rule", "ScopedModel", "Task", "TimestampedModel",
]
