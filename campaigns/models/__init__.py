from campaigns.models.campaigns import Campaign, Category, Requirement
from campaigns.models.checklists import AnswerRow, Assignment, Checklist, ChecklistItem
from campaigns.models.problems import Evidence, Milestone, Problem, ProgressUpdate, Review
from campaigns.models.projects import Exemplar, Feedback, Project

__all__ = ["AnswerRow", "Assignment", "Campaign", "Category", "Checklist", "ChecklistItem", "Evidence", "Exemplar",
           "Feedback", "Milestone", "Problem", "ProgressUpdate", "Project", "Requirement", "Review"]
