"""History rows say what changed (issue 12, item 8): each row names the changed fields in the reader's language,
with the old and new values written as the portal writes them, except what is not shown in a history row."""

import html
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from needs.models import NEED_HISTORY, Need
from needs.services import need_create, need_update
from portal.history import history_changes
from reference.models import Article, AssistanceType, Language
from roster.models import EXPERT_HISTORY, Expert
from roster.personal_data import EXPORT_LABELS, expert_data_export, readable_export
from roster.services import expert_validate
from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db


def _text(body: bytes) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body.decode())))


@pytest.fixture
def changed_need(cast):
    need = need_create(
        by=cast.owner,
        requesting_state=cast.owner.state,
        articles=[Article.objects.get(pk=15)],
        assistance_type=AssistanceType.objects.get(pk="legal_advice"),
        working_languages=[Language.objects.get(pk="en")],
        title="Bribery of national public officials",
    )
    need_update(
        need=need,
        by=cast.owner,
        data={
            "priority": Need.Priority.HIGH,
            "desired_from": date(2027, 3, 1),
            "articles": [Article.objects.get(pk=15), Article.objects.get(pk=16)],
        },
    )
    return need


def test_each_need_history_row_names_the_changed_fields_with_old_and_new_values(changed_need):
    rows = list(changed_need.history.order_by("-history_date", "-history_id"))
    changes = history_changes(rows, model=Need, records=NEED_HISTORY)
    with translation.override("en"):
        shown = {(c.label, c.before, c.after) for c in changes[rows[0].history_id]}
    article_15, article_16 = (str(Article.objects.get(pk=n)) for n in (15, 16))
    assert shown == {
        ("Priority", "Medium", "High"),
        ("Desired from", "—", "1 March 2027"),
        # Articles by number, each with it (16 after 15, though "Bribery of foreign" sorts before "of national").
        ("UNCAC articles", article_15, f"{article_15}, {article_16}"),
    }
    assert rows[-1].history_id not in changes  # the first row is compared with nothing


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_focal_point_reads_the_need_history_in_the_language(cast, changed_need, language):
    body = cast.client_for("owner").get(
        reverse("needs:need_detail", args=[changed_need.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    history = _text(body.content).split("Historique" if language == "fr" else "Historial")[-1]
    with translation.override(language):
        priority = str(Need._meta.get_field("priority").verbose_name).capitalize()
        high, medium = str(Need.Priority.HIGH.label), str(Need.Priority.MEDIUM.label)
        desired_from = str(Need._meta.get_field("desired_from").verbose_name).capitalize()
    assert priority != "Priority" and high != "High"
    assert f"{priority}" in history and f"{medium} → {high}" in history
    assert desired_from in history and ("1 mars 2027" if language == "fr" else "1 de marzo de 2027") in history
    assert "Version 2" not in history


def test_the_secretariat_reads_the_expert_history_with_labels_and_the_cv_only_named(cast):
    expert = ExpertFactory(status=Expert.Status.SUBMITTED, nominating_state=cast.owner.state)
    expert_validate(expert=expert, by=cast.secretariat, version=expert.version)
    expert.refresh_from_db()
    expert.cv_file.name = "cv/changed.pdf"
    expert.save()
    body = cast.client_for("secretariat").get(reverse("admin:roster_expert_history", args=[expert.pk]))
    text = _text(body.content)
    assert "Status: Submitted for validation → Active" in text
    assert "cv/changed.pdf" not in text
    rows = list(expert.history.order_by("-history_date", "-history_id"))
    newest = history_changes(rows, model=Expert, records=EXPERT_HISTORY)[rows[0].history_id]
    assert [(c.label, c.withheld, c.before, c.after) for c in newest] == [("CV", True, "", "")]


def test_the_expert_reads_which_fields_each_change_of_the_profile_touched(cast):
    expert = ExpertFactory(status=Expert.Status.SUBMITTED, nominating_state=cast.owner.state)
    expert_validate(expert=expert, by=cast.secretariat, version=expert.version)
    data = expert_data_export(expert=expert)
    assert [row["fields"] for row in data["history"]] == [[], ["status"]]
    with translation.override("fr"):
        (section,) = [s for s in readable_export(data) if s["title"] == str(EXPORT_LABELS["history"])]
        status = str(Expert._meta.get_field("status").verbose_name).capitalize()
    assert section["rows"][-1][-1] == status
