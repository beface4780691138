"""Two people saving the same record at the same moment on SQLite, the newcomer's database.

The file database is the one a newcomer runs (the test run's own is in memory, where locking works
otherwise); it starts as a copy of the migrated test database. Each save runs in its own thread with
its own connection, as under a threaded server. The loser must get what PostgreSQL gives: the
version conflict page (409) with its input kept, not a 500 "database is locked".
"""

import contextlib
import threading
from collections.abc import Callable, Iterator

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from needs.models import Need
from roster.models import Expert
from tests.factories import (
    NEED_FORM,
    ExpertArticleFactory,
    ExpertFactory,
    ExpertLanguageFactory,
    FocalPointFactory,
    NeedFactory,
    country,
    nomination_form_data,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking"),
]

# How long the first save holds its transaction open waiting for the second to read too. It must be
# shorter than the busy timeout (settings), or the waiting save would give up rather than wait.
OVERLAP_SECONDS = 2


def _in_thread(work: Callable[[], object]) -> object:
    """Run `work` in a new thread, on its own connection to the file database, and return its result."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the test's thread, which reports it
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.fixture
def file_database(tmp_path) -> Iterator[None]:
    """New threads connect to a SQLite file holding the migrated schema and reference data."""
    path = tmp_path / "portal.sqlite3"
    connection.ensure_connection()
    # serialize(), not backup(): the test's own connection holds its (writing) transaction open.
    path.write_bytes(connection.connection.serialize())
    settings = connections.settings["default"]
    connections.settings["default"] = {**settings, "NAME": str(path)}
    try:
        yield
    finally:
        connections.settings["default"] = settings


def _saves_at_once(url: str, *, who: list, data: list[dict]) -> list:
    """Both people post their form at once: each save, once it has read the record in its transaction,
    waits (up to OVERLAP_SECONDS) for the other to have read it too before writing."""
    everyone_has_read = threading.Barrier(len(who))

    def wait_after_first_read() -> Callable:
        waited = False

        def wrapper(execute, sql, params, many, context):
            nonlocal waited
            result = execute(sql, params, many, context)
            if not waited and context["connection"].in_atomic_block and sql.lstrip().upper().startswith("SELECT"):
                waited = True
                with contextlib.suppress(threading.BrokenBarrierError):
                    everyone_has_read.wait(timeout=OVERLAP_SECONDS)
            return result

        return wrapper

    responses: list = [None] * len(who)
    errors: list = []

    def save(index: int) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(who[index])
        try:
            with connections["default"].execute_wrapper(wait_after_first_read()):
                responses[index] = client.post(url, data[index])
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(index,)) for index in range(len(who))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    return responses


def test_the_loser_of_two_simultaneous_need_saves_gets_the_conflict_page_with_its_input(file_database):
    def prepare():
        state = country("KEN")
        need = NeedFactory(requesting_state=state)
        return need.pk, need.version, FocalPointFactory(state=state), FocalPointFactory(state=state)

    pk, version, owner, colleague = _in_thread(prepare)
    titles = ["Whistle-blower protection law", "Reporting persons: a new law"]
    forms = [{**NEED_FORM, "version": str(version), "title": title} for title in titles]
    responses = _saves_at_once(reverse("needs:need_edit", args=[pk]), who=[owner, colleague], data=forms)

    assert sorted(response.status_code for response in responses) == [302, 409]
    [loser] = [index for index, response in enumerate(responses) if response.status_code == 409]
    assert responses[loser].context["form"].data["title"] == titles[loser]
    assert "Someone else changed this need" in responses[loser].content.decode()
    stored = _in_thread(lambda: Need.objects.values_list("title", "version").get(pk=pk))
    assert stored == (titles[1 - loser], version + 1)


def test_the_loser_of_two_simultaneous_expert_saves_gets_the_conflict_page_with_its_input(file_database):
    def prepare():
        state = country("KEN")
        expert = ExpertFactory(nominating_state=state, status=Expert.Status.DRAFT)
        ExpertLanguageFactory(expert=expert)
        ExpertArticleFactory(expert=expert)
        return expert.pk, expert.version, FocalPointFactory(state=state), FocalPointFactory(state=state)

    pk, version, owner, colleague = _in_thread(prepare)
    employers = ["Supreme Court of Kenya", "Ethics and Anti-Corruption Commission"]
    forms = [
        nomination_form_data(**{"profile-version": str(version), "profile-employer": employer})
        for employer in employers
    ]
    responses = _saves_at_once(reverse("roster:expert_edit", args=[pk]), who=[owner, colleague], data=forms)

    assert sorted(response.status_code for response in responses) == [302, 409]
    [loser] = [index for index, response in enumerate(responses) if response.status_code == 409]
    assert f'name="profile-employer" value="{employers[loser]}"' in responses[loser].content.decode()
    stored = _in_thread(lambda: Expert.objects.values_list("employer", "version").get(pk=pk))
    assert stored == (employers[1 - loser], version + 1)
