"""Pages of the question bank, exams and attempts."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Max, Q, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Action
from core.scoping import can, get_scope
from core.views import generic
from learning import forms, services
from learning.choices import AttemptStatus, QuestionKind
from learning.filtersets import ExamFilterSet, QuestionFilterSet
from learning.models import Attempt, Exam, Question
from learning.tables import ExamTable, QuestionTable
from orgs.choices import OrgKind
from orgs.models import Member
from orgs.views import scope_org

TEXT_FIELDS = {"options_text": "options", "answer_text": "answer", "draw_text": "draw"}


def _model_changes(obj: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Form fields typed as text (options, answer, draw rules) stand for the model fields they fill."""
    out = {k: v for k, v in changes.items() if k not in TEXT_FIELDS}
    for text, field in TEXT_FIELDS.items():
        if text in changes:
            out[field] = getattr(obj, field)
    return out


class QuestionListView(generic.ObjectListView):
    queryset = Question.objects.all()
    filterset = QuestionFilterSet
    table = QuestionTable
    add_url_name = "learning:question_add"
    import_slug = "questions"
    extra_actions = (("learning:question_generate", gettext_lazy("由文本生成"), "bi-magic"),)
    export_resource = "learning.resources.QuestionResource"


class QuestionDetailView(generic.ObjectDetailView):
    queryset = Question.objects.select_related("org")
    template_name = "learning/question_detail.html"

    def get_extra_context(self, obj: Question) -> dict[str, Any]:
        from learning import rules

        return {"can_change": can(self.request.user, Action.CHANGE, obj), "letters": rules.LETTERS,
                "answer_text": rules.format_answer(obj.kind, obj.answer)}


class QuestionEditView(generic.ObjectEditView):
    queryset = Question.objects.all()
    form_class = forms.QuestionForm

    def initial_object(self) -> Question:
        return Question(org=scope_org(self.request), kind=QuestionKind.SINGLE)  # type: ignore[misc]

    def create(self, obj: Question, *, acting_user: Any, message: str) -> Question:
        return services.create_question(obj, acting_user=acting_user, message=message)

    def update(self, obj: Question, *, acting_user: Any, changes: dict[str, Any], message: str) -> Question:
        return services.update_question(obj, acting_user=acting_user, changes=_model_changes(obj, changes),
                                        message=message)


class QuestionDeleteView(generic.ObjectDeleteView):
    queryset = Question.objects.all()

    def delete(self, obj: Question, *, acting_user: Any, message: str) -> None:
        services.delete_question(obj, acting_user=acting_user, message=message)

    def success_url(self, obj: Any) -> str:
        return reverse("learning:question_list")


class QuestionHistoryView(generic.ObjectHistoryView):
    queryset = Question.objects.all()


class ExamListView(generic.ObjectListView):
    queryset = Exam.objects.all()
    filterset = ExamFilterSet
    table = ExamTable
    add_url_name = "learning:exam_add"
    export_resource = "learning.resources.ExamResource"


class ExamDetailView(generic.ObjectDetailView):
    queryset = Exam.objects.select_related("org")
    template_name = "learning/exam_detail.html"

    def get_extra_context(self, obj: Exam) -> dict[str, Any]:
        user = self.request.user
        member = Member.objects.filter(user=cast(Any, user)).first() if user.is_authenticated else None
        mine = Attempt.objects.filter(exam=obj, member=member).order_by("number") if member else Attempt.objects.none()
        now = timezone.now()
        services.exams.expire(mine, now)
        scores = Attempt.objects.restrict(user).filter(exam=obj, status=AttemptStatus.SUBMITTED)
        # The results of others are for those who oversee organizations; a member sees their own attempts.
        oversees = get_scope(user, Action.VIEW).oversees
        return {
            "can_change": can(user, Action.CHANGE, obj),
            "mine": list(mine),
            "open": obj.opens <= now <= obj.closes,
            "may_start": member is not None and obj.opens <= now <= obj.closes
            and (mine.filter(status=AttemptStatus.OPEN).exists() or mine.count() < obj.attempts_allowed),
            "statistics": oversees,
            "distribution": distribution(scores, obj) if oversees else [],
            "by_org": by_org(scores, obj, user) if oversees else [],
            "suspicious": services.exams.suspicious(scores, obj) if oversees and can(user, Action.VIEW, obj) else [],
        }


BUCKETS = [(0, 60, "0–59"), (60, 70, "60–69"), (70, 80, "70–79"), (80, 90, "80–89"), (90, 101, "90–100")]


def distribution(scores: Any, exam: Exam) -> list[dict[str, Any]]:
    """Submitted attempts by score band (a member's best attempt counts once)."""
    best = scores.order_by().values("member_id").annotate(best=Max("score"))
    counts = [0] * len(BUCKETS)
    for row in best:
        value = float(row["best"] or 0)
        for i, (low, high, _label) in enumerate(BUCKETS):
            if low <= value < high:
                counts[i] += 1
    total = sum(counts) or 1
    return [{"label": label, "count": n, "percent": round(100 * n / total)} for (_lo, _hi, label), n in
            zip(BUCKETS, counts, strict=True)]


def by_org(scores: Any, exam: Exam, user: Any) -> list[dict[str, Any]]:
    """Per child organization of the exam's organizer (or the branch itself): the people who sat it and their
    attempts; the mean of each person's best score and the share of people who passed, as the distribution
    counts them (a second, worse attempt does not make a person who passed count as half a failure)."""
    from orgs.models import Organization

    org = exam.org
    children = list(Organization.objects.restrict(user).filter(parent=org).exclude(kind=OrgKind.GROUP)
                    .order_by("code")) or [org]
    rows = []
    for child in children:
        # One row per person (best score, any pass), then summed by the database over those rows.
        per_person = scores.filter(org_path__subtree=child.path).order_by().values("member_id").annotate(
            best=Max("score"), sittings=Count("pk"), passes=Count("pk", filter=Q(passed=True)))
        figures = per_person.aggregate(people=Count("member_id"), attempts=Sum("sittings"), mean=Avg("best"),
                                       passed=Count("member_id", filter=Q(passes__gt=0)))
        if figures["people"]:
            rows.append({"org": child, "people": figures["people"], "attempts": figures["attempts"],
                         "mean": round(float(figures["mean"] or 0), 1),
                         "pass_rate": round(100 * figures["passed"] / figures["people"])})
    return rows


class ExamEditView(generic.ObjectEditView):
    queryset = Exam.objects.all()
    form_class = forms.ExamForm

    def initial_object(self) -> Exam:
        return Exam(org=scope_org(self.request))  # type: ignore[misc]

    def create(self, obj: Exam, *, acting_user: Any, message: str) -> Exam:
        return services.create_exam(obj, acting_user=acting_user, message=message)

    def update(self, obj: Exam, *, acting_user: Any, changes: dict[str, Any], message: str) -> Exam:
        return services.update_exam(obj, acting_user=acting_user, changes=_model_changes(obj, changes),
                                    message=message)


class ExamDeleteView(generic.ObjectDeleteView):
    queryset = Exam.objects.all()

    def delete(self, obj: Exam, *, acting_user: Any, message: str) -> None:
        services.delete_exam(obj, acting_user=acting_user, message=message)

    def success_url(self, obj: Any) -> str:
        return reverse("learning:exam_list")


class ExamHistoryView(generic.ObjectHistoryView):
    queryset = Exam.objects.all()


@login_required
def exam_start(request: HttpRequest, pk: int) -> HttpResponse:
    exam = get_object_or_404(Exam.objects.restrict(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseRedirect(exam.get_absolute_url())
    try:
        attempt = services.start_attempt(exam, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(exam.get_absolute_url())
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(exam.get_absolute_url())
    return HttpResponseRedirect(reverse("learning:attempt_take", args=[attempt.pk]))


def _own_attempt(request: HttpRequest, pk: int) -> Attempt:
    """The user's own attempt, closed first if its time ran out while they were away."""
    mine = Attempt.objects.select_related("exam").filter(member__user=cast(Any, request.user))
    services.exams.expire(mine.filter(pk=pk), timezone.now())
    return get_object_or_404(mine, pk=pk)


def _posted_answers(request: HttpRequest, questions: list[Question]) -> dict[str, Any]:
    """The form's fields as the service takes them: option indices, true/false, the blanks' texts."""
    answers: dict[str, Any] = {}
    for q in questions:
        key = f"q{q.pk}"
        try:
            if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                answers[str(q.pk)] = [int(v) for v in request.POST.getlist(key)]
            elif q.kind == QuestionKind.TRUE_FALSE:
                value = request.POST.get(key, "")
                answers[str(q.pk)] = {"true": True, "false": False}.get(value)
            else:
                answers[str(q.pk)] = [request.POST.get(f"{key}-{i}", "") for i in range(len(q.answer))]
        except ValueError:
            answers[str(q.pk)] = "invalid"
    return answers


@login_required
def attempt_take(request: HttpRequest, pk: int) -> HttpResponse:
    """The paper: questions and options only (no answers); the form submits itself at the deadline."""
    attempt = _own_attempt(request, pk)
    if attempt.status != AttemptStatus.OPEN:
        return HttpResponseRedirect(attempt.get_absolute_url())
    bank = Question.objects.in_bulk(attempt.questions)
    questions = [bank[qid] for qid in attempt.questions if qid in bank]
    error = ""
    if request.method == "POST":
        try:
            services.submit_attempt(attempt, _posted_answers(request, questions), acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            if getattr(exc, "code", None) in ("late", "submitted"):
                services.exams.expire(Attempt.objects.filter(pk=attempt.pk), timezone.now())
                messages.error(request, error)
                return HttpResponseRedirect(attempt.get_absolute_url())
        else:
            return HttpResponseRedirect(attempt.get_absolute_url())
    paper = [{"q": q, "options": list(enumerate(q.options or [])), "blanks": range(len(q.answer))
              if q.kind == QuestionKind.BLANK else range(0)} for q in questions]
    return render(request, "learning/attempt_take.html", {
        "attempt": attempt, "paper": paper, "error": error,
        "seconds_left": max(int((attempt.deadline - timezone.now()).total_seconds()), 0)},
        status=400 if error else 200)


@login_required
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A submitted attempt with the correct answers and explanations (the member's own, or in scope)."""
    visible = Attempt.objects.restrict(request.user).select_related("exam", "member")
    services.exams.expire(visible.filter(pk=pk), timezone.now())
    attempt = get_object_or_404(visible, pk=pk)
    own = attempt.member.user_id == request.user.pk
    if attempt.status == AttemptStatus.OPEN:
        if own:
            return HttpResponseRedirect(reverse("learning:attempt_take", args=[attempt.pk]))
        return render(request, "learning/attempt_detail.html", {"attempt": attempt, "rows": []})
    from learning import rules

    bank = Question.objects.in_bulk(attempt.questions)
    if own:
        # While the member may still sit the exam again, the right answers would be the next paper's.
        shown = set(bank) if services.exams.answers_may_be_shown(attempt) else set()
    else:
        # ``answers_may_be_shown`` speaks of the attempt's member, not of the reader, who may still have the
        # exam to sit (or a later one drawn from the same bank): others read the answers of the questions
        # they may read in the bank itself, and no more.
        shown = set(Question.objects.restrict(request.user).filter(pk__in=list(bank)).values_list("pk", flat=True))
    rows = []
    for qid in attempt.questions:
        q = bank.get(qid)
        if q is None:
            continue
        given = (attempt.answers or {}).get(str(qid))
        reveal = qid in shown
        rows.append({"q": q, "correct": (attempt.results or {}).get(str(qid), False), "reveal": reveal,
                     "given": _shown(q, given), "answer": _readable(q, rules.format_answer(q.kind, q.answer))
                     if reveal else "",
                     "explanation": q.explanation if reveal else "",
                     "options": list(zip(rules.LETTERS, q.options or [], strict=False))})
    return render(request, "learning/attempt_detail.html", {
        "attempt": attempt, "rows": rows, "own": own, "reveal": all(row["reveal"] for row in rows)})


def _shown(question: Question, given: Any) -> str:
    from learning import rules

    if given in (None, "", []) or (question.kind == QuestionKind.BLANK and not any(str(g).strip() for g in given)):
        return "—"
    if question.kind == QuestionKind.BLANK:
        return "；".join(str(g).strip() or "—" for g in given)
    return _readable(question, rules.format_answer(question.kind, given if question.kind != QuestionKind.TRUE_FALSE
                                                   else [given]))


def _readable(question: Question, text: str) -> str:
    """An answer as the reader's language says it: 对/错 are also how answers are typed, so they are kept in
    Chinese there (``rules.format_answer``) and translated only for showing."""
    if question.kind == QuestionKind.TRUE_FALSE:
        return _("对") if text == "对" else _("错")
    return text


@login_required
def question_generate(request: HttpRequest) -> HttpResponse:
    """Paste or upload a text, review the proposed questions, accept the chosen ones into a bank.

    Accepting checks every chosen proposal first and puts them all into the bank in one transaction, or
    none: a refused one is named with its number and field, and the page comes back with the proposals
    as they were posted, so that it can be corrected and sent again.
    """
    from learning import generate, rules

    if get_scope(request.user, Action.CHANGE).empty:
        raise PermissionDenied(_("您只有查看权限"))
    form = forms.GenerateForm(request.POST or None, request.FILES or None, user=request.user)
    proposals: list[dict[str, Any]] = []
    errors: list[str] = []
    if request.method == "POST" and request.POST.get("step") == "accept":
        proposals = _posted_proposals(request)
        if form.is_valid():
            org, source, tags = form.cleaned_data["org"], form.cleaned_data["source"], form.cleaned_data["tags"]
            questions, errors = _accepted_questions(proposals, org=org, source=source, tags=tags)
            if not errors:
                try:
                    services.create_questions(questions, acting_user=request.user, message=_("由文本生成"))
                except ValidationError as exc:
                    errors = exc.messages
                else:
                    if questions:
                        messages.success(request, _("已放入题库%(n)s道题") % {"n": len(questions)})
                    return HttpResponseRedirect(reverse("learning:question_list") + f"?org={org.pk}")
    elif request.method == "POST" and form.is_valid():
        found = generate.propose(form.cleaned_data["text"], limit=form.cleaned_data["limit"])
        proposals = [{"p": p, "include": True, "options_text": "\n".join(p.options),
                      "answer_text": rules.format_answer(p.kind, p.answer)} for p in found]
        if not proposals:
            errors.append(_("没有找到适合出题的句子：请提供完整的句子（以句号结尾）"))
    return render(request, "learning/question_generate.html", {"form": form, "proposals": proposals,
                                                                "errors": errors})


MAX_PROPOSALS = 120  # twice the form's largest limit


def _posted_proposals(request: HttpRequest) -> list[dict[str, Any]]:
    """The proposals as the page posted them (edited, chosen or not), in the shape the template shows."""
    from types import SimpleNamespace

    count = request.POST.get("count", "")
    proposals = []
    for i in range(min(int(count) if count.isdigit() else 0, MAX_PROPOSALS)):
        post = {name: request.POST.get(f"p{i}-{name}", "") for name in ("kind", "text", "term", "options", "answer")}
        proposals.append({"p": SimpleNamespace(kind=post["kind"], text=post["text"], term=post["term"]),
                          "include": bool(request.POST.get(f"p{i}-include")), "options_text": post["options"],
                          "answer_text": post["answer"]})
    return proposals


def _accepted_questions(proposals: list[dict[str, Any]], *, org: Any, source: str,
                        tags: str) -> tuple[list[Question], list[str]]:
    """The chosen proposals as unsaved questions, each checked; the errors name the proposal and field."""
    from django.core.exceptions import NON_FIELD_ERRORS

    from learning import rules

    questions: list[Question] = []
    errors: list[str] = []
    for n, item in enumerate(proposals, start=1):
        if not item["include"]:
            continue
        kind = item["p"].kind
        options = rules.parse_options(item["options_text"]) if kind == QuestionKind.SINGLE else []
        question = Question(org=org, kind=kind, text=item["p"].text, options=options, tags=tags, source=source)
        try:
            question.answer = rules.parse_answer(kind, item["answer_text"], options)
        except ValueError as exc:
            errors.append(_field_error(n, "answer", str(exc)))
            continue
        try:
            question.full_clean(exclude=["org"])  # the form chose the organization among those in scope
        except ValidationError as exc:
            for name, problems in exc.message_dict.items():
                errors += [_("第%(n)s题：%(e)s") % {"n": n, "e": e} if name == NON_FIELD_ERRORS
                           else _field_error(n, name, e) for e in problems]
            continue
        questions.append(question)
    return questions, errors


def _field_error(n: int, name: str, message: str) -> str:
    label = getattr(Question._meta.get_field(name), "verbose_name", name)
    return _("第%(n)s题“%(field)s”：%(e)s") % {"n": n, "field": label, "e": message}
