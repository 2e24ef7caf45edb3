# Lateness of first submissions: recorded from now on at submission; essays handed in before are filled in
# from their first version.

from typing import Any

from django.db import migrations, models
from django.db.models import Min
from django.utils import timezone


def fill_late_days(apps: Any, schema_editor: Any) -> None:
    Essay = apps.get_model("essays", "Essay")
    essays = (Essay.objects.filter(versions_count__gt=0, late_days__isnull=True).select_related("request")
              .annotate(first=Min("versions__submitted_at")))
    for essay in essays.iterator(chunk_size=2000):
        if essay.first is not None:
            late = (timezone.localtime(essay.first).date() - essay.request.deadline).days
            Essay.objects.filter(pk=essay.pk).update(late_days=max(0, late))


class Migration(migrations.Migration):

    dependencies = [
        ('essays', '0002_formulation_essayrequest_essay_essayversion_and_more'),
    ]

    operations = [
        migrations.AddField(
            model_name='essay',
            name='late_days',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='逾期天数'),
        ),
        migrations.RunPython(fill_late_days, migrations.RunPython.noop),
    ]
