import datetime

import pytest

from core import rules
from core.models import Rule


@pytest.fixture(autouse=True)
def _fresh_cache():
    rules.clear_cache()
    yield
    rules.clear_cache()


@pytest.mark.django_db
def test_structure_thresholds_ship_as_rules_with_their_source():
    rule = Rule.objects.get(key="orgs.branch.min_full_members")
    assert rule.value == 3
    assert "支部工作条例" in rule.source
    assert rules.rule_value("orgs.branch.max_members") == 50


@pytest.mark.django_db
def test_a_later_version_applies_from_its_date_and_the_earlier_one_before():
    Rule.objects.create(key="orgs.branch.max_members", name="x", value=40, unit="人", severity="warning",
                        effective_from=datetime.date(2030, 1, 1), source="test")
    rules.clear_cache()
    assert rules.rule_value("orgs.branch.max_members", datetime.date(2029, 12, 31)) == 50
    assert rules.rule_value("orgs.branch.max_members", datetime.date(2030, 1, 1)) == 40


@pytest.mark.django_db
def test_installing_defaults_again_keeps_an_administrators_edit():
    Rule.objects.filter(key="orgs.branch.max_members").update(value=45)
    rules.install_default_rules()
    assert rules.rule_value("orgs.branch.max_members") == 45
    assert Rule.objects.filter(key="orgs.branch.max_members").count() == 1


@pytest.mark.django_db
def test_an_unknown_rule_or_a_date_before_any_version_is_an_error():
    with pytest.raises(rules.UnknownRule):
        rules.rule_value("no.such.rule")
    with pytest.raises(rules.UnknownRule):
        rules.rule_value("orgs.branch.max_members", datetime.date(2000, 1, 1))


@pytest.mark.django_db
def test_every_shipped_rule_cites_a_public_source_not_the_projects_notes() -> None:
    sources = list(Rule.objects.values_list("key", "source"))
    assert sources
    assert [key for key, source in sources if "rules.md" in source or not source.strip()] == []


@pytest.mark.django_db
def test_the_citation_migration_rewrites_a_stored_old_source() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("campaigns.migrations.0003_rule_source_citation")
    Rule.objects.filter(key="campaigns.overdue").update(source=migration.OLD, source_url="")
    migration.cite(apps, None)
    assert Rule.objects.filter(key="campaigns.overdue").values_list("source", "source_url").get() == (
        migration.NEW, migration.URL)
