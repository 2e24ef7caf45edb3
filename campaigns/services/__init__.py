"""Every mutation of the campaigns app: atomic, permission-checked, change-logged."""

from campaigns.services.campaigns import (
    add_requirement,
    answer_checklist,
    assign_checklist,
    batch_lines,
    copy_checklist,
    create_campaign,
    create_checklist,
    delete_campaign,
    delete_requirement,
    launch_from_template,
    may_answer,
    parse_batches,
    set_items,
    update_campaign,
)
from campaigns.services.problems import (
    add_milestone,
    add_progress,
    create_problem,
    delete_problem,
    gap_exists,
    has_evidence,
    may_review,
    may_work_on,
    reopen_problem,
    review_problem,
    submit_for_close,
    update_problem,
)
from campaigns.services.projects import (
    FeedbackRefused,
    add_project_files,
    client_digest,
    create_exemplar,
    create_project,
    delete_exemplar,
    delete_project,
    submit_feedback,
    update_exemplar,
    update_project,
)

__all__ = [
    "FeedbackRefused", "add_milestone", "add_progress", "add_project_files", "add_requirement", "answer_checklist",
    "assign_checklist", "batch_lines", "client_digest", "copy_checklist", "create_campaign", "create_checklist",
    "create_exemplar", "create_problem", "create_project", "delete_campaign", "delete_exemplar", "delete_problem",
    "delete_project", "delete_requirement", "gap_exists", "has_evidence", "launch_from_template", "may_answer",
    "may_review", "may_work_on", "parse_batches", "reopen_problem", "review_problem", "set_items",
    "submit_feedback", "submit_for_close", "update_campaign", "update_exemplar", "update_problem",
    "update_project",
]
