from django.urls import path

from learning import exam_views, views

app_name = "learning"

urlpatterns = [
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/add/", views.ActivityEditView.as_view(), name="activity_add"),
    path("activities/series/add/", views.SeriesEditView.as_view(), name="series_add"),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/edit/", views.ActivityEditView.as_view(), name="activity_edit"),
    path("activities/<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="activity_delete"),
    path("activities/<int:pk>/history/", views.ActivityHistoryView.as_view(), name="activity_history"),
    path("activities/<int:pk>/attendance/", views.activity_attendance, name="activity_attendance"),
    path("activities/<int:pk>/sign-in/", views.activity_sign_in, name="activity_sign_in"),
    path("activities/<int:pk>/materials/", views.material_add, name="material_add"),
    path("attendance/<int:pk>/makeup/", views.attendance_makeup, name="attendance_makeup"),
    path("materials/<int:pk>/", views.material_download, name="material_download"),
    path("materials/<int:pk>/delete/", views.material_delete, name="material_delete"),
    path("study/", views.StudyRecordListView.as_view(), name="record_list"),
    path("study/add/", views.StudyRecordEditView.as_view(), name="record_add"),
    path("study/mine/", views.my_study, name="my_study"),
    path("study/<int:pk>/", views.StudyRecordDetailView.as_view(), name="record_detail"),
    path("study/<int:pk>/edit/", views.StudyRecordEditView.as_view(), name="record_edit"),
    path("study/<int:pk>/delete/", views.StudyRecordDeleteView.as_view(), name="record_delete"),
    path("study/<int:pk>/history/", views.StudyRecordHistoryView.as_view(), name="record_history"),
    path("orgs/<int:pk>/compliance/", views.org_compliance, name="compliance"),
    path("questions/", exam_views.QuestionListView.as_view(), name="question_list"),
    path("questions/add/", exam_views.QuestionEditView.as_view(), name="question_add"),
    path("questions/<int:pk>/", exam_views.QuestionDetailView.as_view(), name="question_detail"),
    path("questions/<int:pk>/edit/", exam_views.QuestionEditView.as_view(), name="question_edit"),
    path("questions/<int:pk>/delete/", exam_views.QuestionDeleteView.as_view(), name="question_delete"),
    path("questions/<int:pk>/history/", exam_views.QuestionHistoryView.as_view(), name="question_history"),
    path("exams/", exam_views.ExamListView.as_view(), name="exam_list"),
    path("exams/add/", exam_views.ExamEditView.as_view(), name="exam_add"),
    path("exams/<int:pk>/", exam_views.ExamDetailView.as_view(), name="exam_detail"),
    path("exams/<int:pk>/edit/", exam_views.ExamEditView.as_view(), name="exam_edit"),
    path("exams/<int:pk>/delete/", exam_views.ExamDeleteView.as_view(), name="exam_delete"),
    path("exams/<int:pk>/history/", exam_views.ExamHistoryView.as_view(), name="exam_history"),
    path("exams/<int:pk>/start/", exam_views.exam_start, name="exam_start"),
    path("attempts/<int:pk>/", exam_views.attempt_detail, name="attempt_detail"),
    path("attempts/<int:pk>/take/", exam_views.attempt_take, name="attempt_take"),
]
