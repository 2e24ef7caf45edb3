from learning.models.activities import Activity, ActivityMaterial, ActivitySeries, Attendance
from learning.models.ledger import MemberYear, StudyRecord

__all__ = ["Activity", "ActivityMaterial", "ActivitySeries", "Attendance", "MemberYear", "StudyRecord"]
