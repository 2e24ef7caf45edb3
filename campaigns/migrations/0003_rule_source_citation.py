"""The two rules that cited the project's own notes cite their public source instead."""

from django.db import migrations

OLD = "主题教育问题清单、整改清单、责任清单及“五个明确”、销号惯例（rules.md §5，E6）"
NEW = "主题教育问题清单、整改清单、责任清单及“五个明确”、销号的通行做法（全国统一格式未明确）"
URL = "https://gyct.com.cn/info/1271/21122.htm"


def cite(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(source=OLD).update(source=NEW, source_url=URL)


def uncite(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(source=NEW).update(source=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_problem_gap_ref"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(cite, uncite)]
