import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from core import tasks
from core.choices import TaskStatus


@tasks.register_task("test.sum")
def _sum(ctx):
    total = 0
    for i, value in enumerate(ctx.params["values"], 1):
        total += value
        ctx.progress(i, len(ctx.params["values"]), "adding")
    return {"total": total}


@tasks.register_task("test.fail")
def _fail(ctx):
    raise ValueError("bad row")


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_after_commit_and_keeps_its_result_and_progress(settings):
    settings.CHUXIN_TASKS = "sync"
    user = get_user_model().objects.create_user("u")
    task = tasks.enqueue("test.sum", user=user, title="sum", params={"values": [1, 2, 3]})
    task.refresh_from_db()
    assert task.status == TaskStatus.SUCCEEDED
    assert task.result == {"total": 6}
    assert (task.progress_done, task.progress_total, task.percent) == (3, 3, 100)


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_marked_failed_with_its_error(settings):
    settings.CHUXIN_TASKS = "sync"
    user = get_user_model().objects.create_user("u")
    task = tasks.enqueue("test.fail", user=user, title="fail")
    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED
    assert "bad row" in task.error


@pytest.mark.django_db(transaction=True)
def test_only_the_owner_sees_a_task(settings):
    settings.CHUXIN_TASKS = "sync"
    users = get_user_model().objects
    owner, other = users.create_user("owner"), users.create_user("other")
    task = tasks.enqueue("test.sum", user=owner, title="sum", params={"values": [1]})
    assert list(tasks.tasks_for(owner)) == [task]
    assert list(tasks.tasks_for(other)) == []


def test_enqueueing_an_unknown_kind_is_an_error():
    with pytest.raises(KeyError):
        tasks.enqueue("test.nothing", user=None, title="x")


@tasks.register_task("test.language")
def _language(ctx):
    from django.utils.translation import gettext

    return {"language": translation.get_language(), "text": gettext("已导出%(n)s行") % {"n": 3}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("language", "text"), [("en", "Exported 3 rows"), ("zh-hans", "已导出3行")])
def test_a_task_speaks_the_language_of_whoever_queued_it(settings, language, text):
    settings.CHUXIN_TASKS = "sync"
    user = get_user_model().objects.create_user("u")
    # It runs on commit, after the request's language is gone.
    with transaction.atomic(), translation.override(language):
        task = tasks.enqueue("test.language", user=user, title="language")
    task.refresh_from_db()
    assert task.result == {"language": language, "text": text}


@tasks.register_task("test.blocked_progress")
def _blocked_progress(ctx):
    """Reports progress while another connection holds the database's write lock, as a long export does
    while someone else saves a form."""
    import threading

    from django.db import connection as thread_connection

    from core.models import Task

    locked, release = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                Task.objects.filter(pk=ctx.task.pk).update(progress_message="someone else writes")
                locked.set()
                release.wait(10)
        finally:
            thread_connection.close()

    other = threading.Thread(target=writer)
    other.start()
    try:
        assert locked.wait(10)
        ctx._last_write = 0.0  # due for a database write
        ctx.progress(5, 10, "halfway")
    finally:
        release.set()
        other.join()
    return {"live": list(tasks._live[str(ctx.task.pk)])}


@pytest.mark.django_db(transaction=True)
def test_progress_the_database_refuses_to_store_does_not_end_the_task(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL waits for the other writer instead of refusing the progress row")
    settings.CHUXIN_TASKS = "sync"
    user = get_user_model().objects.create_user("u")
    task = tasks.enqueue("test.blocked_progress", user=user, title="export")
    task.refresh_from_db()
    assert task.status == TaskStatus.SUCCEEDED, task.error
    assert task.result == {"live": [5, 10, "halfway"]}  # the figure is still known to this process
