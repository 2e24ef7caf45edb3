from django.urls import path

from essays import views

app_name = "essays"

urlpatterns = [
    path("requests/", views.RequestListView.as_view(), name="request_list"),
    path("requests/add/", views.RequestEditView.as_view(), name="request_add"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/edit/", views.RequestEditView.as_view(), name="request_edit"),
    path("requests/<int:pk>/delete/", views.RequestDeleteView.as_view(), name="request_delete"),
    path("requests/<int:pk>/history/", views.RequestHistoryView.as_view(), name="request_history"),
    path("requests/<int:pk>/write/", views.essay_start, name="essay_start"),
    path("", views.EssayListView.as_view(), name="essay_list"),
    path("mine/", views.my_essays, name="mine"),
    path("<int:pk>/", views.essay_detail, name="essay_detail"),
    path("<int:pk>/write/", views.essay_write, name="essay_write"),
    path("<int:pk>/history/", views.EssayHistoryView.as_view(), name="essay_history"),
    path("versions/<int:pk>/review/", views.essay_review, name="essay_review"),
    path("orgs/<int:pk>/", views.org_essays, name="org_essays"),
    path("corpus/", views.corpus, name="corpus"),
    path("corpus/formulations/<int:pk>/delete/", views.formulation_delete, name="formulation_delete"),
]
