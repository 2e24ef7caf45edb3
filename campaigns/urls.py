from django.urls import path

from campaigns import board_views, views

app_name = "campaigns"


def crud(prefix: str, name: str, module: object, model: str) -> list:
    """The list / add / detail / edit / delete / history routes of one model."""
    return [
        path(f"{prefix}/", getattr(module, f"{model}ListView").as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", getattr(module, f"{model}EditView").as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", getattr(module, f"{model}DetailView").as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", getattr(module, f"{model}EditView").as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", getattr(module, f"{model}DeleteView").as_view(), name=f"{name}_delete"),
        path(f"{prefix}/<int:pk>/history/", getattr(module, f"{model}HistoryView").as_view(), name=f"{name}_history"),
    ]


urlpatterns = [
    *crud("campaigns", "campaign", views, "Campaign"),
    path("campaigns/launch/", views.campaign_launch, name="campaign_launch"),
    path("campaigns/<int:pk>/figures/", views.campaign_figures, name="campaign_figures"),
    path("campaigns/<int:pk>/requirements/", views.requirement_add, name="requirement_add"),
    path("requirements/<int:pk>/delete/", views.requirement_delete, name="requirement_delete"),
    *crud("checklists", "checklist", views, "Checklist"),
    path("checklists/copy/", views.checklist_copy, name="checklist_copy"),
    path("checklists/<int:pk>/assign/", views.checklist_assign, name="checklist_assign"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    *crud("problems", "problem", views, "Problem"),
    path("problems/owners/", views.problem_owner_options, name="problem_owner_options"),
    path("problems/<int:pk>/progress/", views.problem_progress, name="problem_progress"),
    path("problems/<int:pk>/milestones/", views.problem_milestone, name="problem_milestone"),
    path("milestones/<int:pk>/delete/", views.milestone_delete, name="milestone_delete"),
    path("problems/<int:pk>/submit/", views.problem_submit, name="problem_submit"),
    path("problems/<int:pk>/review/", views.problem_review, name="problem_review"),
    path("problems/<int:pk>/reopen/", views.problem_reopen, name="problem_reopen"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    *crud("projects", "project", board_views, "Project"),
    path("projects/<int:pk>/files/", board_views.project_files, name="project_files"),
    path("projects/<int:pk>/milestones/", board_views.project_milestone, name="project_milestone"),
    path("p/<str:token>/", board_views.feedback, name="feedback"),
    *crud("exemplars", "exemplar", board_views, "Exemplar"),
    path("orgs/<int:pk>/dashboard/", board_views.org_dashboard, name="dashboard"),
    path("orgs/<int:pk>/benchmark/", board_views.org_benchmark, name="benchmark"),
]
