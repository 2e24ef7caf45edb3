from learning.models.activities import Activity, ActivityMaterial, ActivitySeries, Attendance, SignInFailure
from learning.models.exams import Attempt, Exam, Question
from learning.models.ledger import MemberYear, PointEntry, StudyRecord

__all__ = ["Activity", "ActivityMaterial", "ActivitySeries", "Attempt", "Attendance", "Exam", "MemberYear",
           "PointEntry", "Question", "SignInFailure", "StudyRecord"]
