from django.contrib import admin

from essays.models import ReferenceDocument


@admin.register(ReferenceDocument)
class ReferenceDocumentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "source_url", "created"]
    search_fields = ["title", "source_url"]
    readonly_fields = ["digest", "created", "updated"]
