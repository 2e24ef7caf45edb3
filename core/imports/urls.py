from django.urls import path

from core.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/<uuid:pk>/errors.csv", views.task_errors, name="task_errors"),
    path("<slug:resource>/", views.upload, name="upload"),
    path("<slug:resource>/confirm/", views.confirm, name="confirm"),
    path("<slug:resource>/template.<str:fmt>", views.template, name="template"),
    path("<slug:resource>/export.<str:fmt>", views.export, name="export"),
]
