from django.contrib.auth import views as auth_views
from django.urls import path

from core.views import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tasks/<uuid:pk>/", pages.task_detail, name="task_detail"),
    path("tasks/<uuid:pk>/download/", pages.task_download, name="task_download"),
    path("notifications/", pages.notifications, name="notifications"),
    path("notifications/badge/", pages.notification_badge, name="notification_badge"),
]
