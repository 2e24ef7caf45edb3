from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("core.api.urls")),
    path("imports/", include("core.imports.urls")),
    path("", include("core.urls")),
    path("", include("orgs.urls")),
    path("learning/", include("learning.urls")),
    path("essays/", include("essays.urls")),
    path("campaigns/", include("campaigns.urls")),
]


handler500 = "core.api.exceptions.server_error"
