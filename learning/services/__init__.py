"""Every mutation of the learning app: atomic, scope-checked, change-logged (activities, attendance and
the ledger in ``activities``; the question bank, exams and attempts in ``exams``)."""

from learning.services.activities import (
    MAX_SERIES,
    Entry,
    add_material,
    audience_queryset,
    check_sign_in,
    conversion,
    create_activity,
    create_record,
    create_series,
    delete_activity,
    delete_material,
    delete_record,
    fill_defaults,
    max_wrong_codes,
    may_record,
    open_window,
    record_attendance,
    record_makeup,
    recordable_members,
    series_dates,
    sign_in,
    update_activity,
    update_record,
    visible_activity,
    wrong_codes,
)
from learning.services.exams import (
    GRACE,
    bank,
    check_draw,
    create_exam,
    create_question,
    create_questions,
    delete_exam,
    delete_question,
    draw,
    start_attempt,
    submit_attempt,
    update_exam,
    update_question,
)

__all__ = [
    "GRACE", "bank", "check_draw", "create_exam", "create_question", "create_questions", "delete_exam",
    "delete_question", "draw", "start_attempt", "submit_attempt", "update_exam", "update_question",
    "MAX_SERIES", "Entry", "add_material", "audience_queryset", "check_sign_in", "conversion", "create_activity",
    "create_record", "create_series", "delete_activity", "delete_material", "delete_record", "fill_defaults",
    "max_wrong_codes", "may_record", "open_window", "record_attendance", "record_makeup", "recordable_members",
    "series_dates", "sign_in", "update_activity", "update_record", "visible_activity", "wrong_codes",
]
