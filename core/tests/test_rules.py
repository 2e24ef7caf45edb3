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


# An administrator's versions: marked, kept, logged


def _admin_client(client, *, superuser: bool = True):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        "rules-admin" if superuser else "rules-staff", password=None, is_staff=True, is_superuser=superuser)
    client.force_login(user)
    return user


def _rule_form(rule: Rule, **changes) -> dict:
    import json

    data = {"key": rule.key, "name": rule.name, "value": json.dumps(rule.value), "unit": rule.unit,
            "severity": rule.severity, "effective_from": f"{rule.effective_from:%Y-%m-%d}",
            "effective_to": f"{rule.effective_to:%Y-%m-%d}" if rule.effective_to else "",
            "source": rule.source, "source_url": rule.source_url, "note": rule.note}
    data.update(changes)
    return data


@pytest.fixture
def later_shipped_version():
    """A newer shipped version of the branch-size rule, as a later release would bring it."""
    key = "orgs.branch.max_members"
    start = datetime.date(2031, 1, 1)
    rules.register_defaults(rules.DefaultRule(key=key, name="x", value=60, unit="人", severity="warning",
                                              effective_from=start, source="a later release"))
    yield key, start
    del rules._defaults[key, start]


def _shipped_installed(key: str, start: datetime.date) -> bool:
    return Rule.objects.filter(key=key, effective_from=start).exists()


@pytest.mark.django_db
def test_installed_defaults_are_marked_shipped():
    assert Rule.objects.exists()
    assert not Rule.objects.filter(shipped=False).exists()


@pytest.mark.django_db
def test_a_version_an_administrator_adds_keeps_a_newer_shipped_one_out(client, later_shipped_version):
    from core.models import ObjectChange

    key, start = later_shipped_version
    _admin_client(client)
    rule = Rule.objects.get(key=key)
    response = client.post("/admin/core/rule/add/", _rule_form(rule, value="40", effective_from="2027-01-01"))
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Rule.objects.get(key=key, effective_from=datetime.date(2027, 1, 1))
    assert added.shipped is False
    assert rules.rule_value(key, datetime.date(2027, 6, 1)) == 40  # the cache was cleared
    log = ObjectChange.objects.get(object_id=added.pk, action="create", content_type__model="rule")
    assert log.user_name == "rules-admin" and (log.postchange_data or {})["value"] == 40

    rules.install_default_rules()
    assert not _shipped_installed(key, start)
    assert rules.rule_value(key, datetime.date(2032, 1, 1)) == 40


@pytest.mark.django_db
def test_changing_what_a_shipped_version_says_makes_it_the_administrators(client, later_shipped_version):
    from core.models import ObjectChange

    key, start = later_shipped_version
    _admin_client(client)
    rule = Rule.objects.get(key=key)
    response = client.post(f"/admin/core/rule/{rule.pk}/change/", _rule_form(rule, value="45"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.value, rule.shipped) == (45, False)
    log = ObjectChange.objects.get(object_id=rule.pk, action="update", content_type__model="rule")
    before, after = log.prechange_data or {}, log.postchange_data or {}
    assert (before["value"], after["value"]) == (50, 45)
    assert (before["shipped"], after["shipped"]) == (True, False)

    rules.install_default_rules()
    assert not _shipped_installed(key, start)


@pytest.mark.django_db
def test_a_note_added_to_a_shipped_version_leaves_it_shipped(client, later_shipped_version):
    key, start = later_shipped_version
    _admin_client(client)
    rule = Rule.objects.get(key=key)
    assert "随版本提供" in client.get(f"/admin/core/rule/{rule.pk}/change/").content.decode()
    assert client.get("/admin/core/rule/?shipped__exact=0").status_code == 200
    response = client.post(f"/admin/core/rule/{rule.pk}/change/", _rule_form(rule, note="本地补充说明"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.note, rule.shipped) == ("本地补充说明", True)

    rules.install_default_rules()
    assert _shipped_installed(key, start)


@pytest.mark.django_db
def test_the_mark_goes_to_stored_versions_equal_to_the_shipped_ones():
    Rule.objects.update(shipped=False)
    Rule.objects.filter(key="orgs.branch.max_members").update(value=45)  # changed before the mark existed
    rules.mark_shipped(Rule)
    assert list(Rule.objects.filter(shipped=False).values_list("key", flat=True)) == ["orgs.branch.max_members"]


@pytest.mark.django_db
def test_staff_without_the_administrator_role_cannot_change_rules_or_holidays(client):
    _admin_client(client, superuser=False)
    rule = Rule.objects.get(key="orgs.branch.max_members")
    assert client.post(f"/admin/core/rule/{rule.pk}/change/", _rule_form(rule, value="45")).status_code == 403
    assert client.post("/admin/core/holiday/add/", {"date": "2031-01-02", "is_workday": "", "name": "x"}
                       ).status_code == 403
    rule.refresh_from_db()
    assert rule.value == 50


@pytest.mark.django_db
def test_holidays_an_administrator_adds_and_deletes_are_logged_and_counted_at_once(client):
    from core import workdays
    from core.models import Holiday, ObjectChange

    _admin_client(client)
    day = datetime.date(2031, 1, 6)  # a Monday
    assert workdays.is_workday(day)
    assert client.post("/admin/core/holiday/add/", {"date": "2031-01-06", "name": "本地假日"}).status_code == 302
    holiday = Holiday.objects.get(date=day)
    assert not workdays.is_workday(day)
    assert client.post(f"/admin/core/holiday/{holiday.pk}/delete/", {"post": "yes"}).status_code == 302
    assert workdays.is_workday(day)
    assert list(ObjectChange.objects.filter(content_type__model="holiday", object_id=holiday.pk)
                .order_by("pk").values_list("action", flat=True)) == ["create", "delete"]
