"""Typed event helpers, and one Chinese name for every action something writes (and none for what nothing writes)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from guatu.audit import events
from guatu.audit.labels import ACTION_LABELS
from guatu.audit.models import AuditEvent
from guatu.projects.services import annual_plan_set

GUATU = Path(__file__).resolve().parents[2]
ACTION = re.compile(r'"([a-z]+\.[a-z_]+)"')


def _written_actions() -> set[str]:
    """Every action code in the code that writes events (services, the workflow tables, the demo, events.py)."""
    found = set()
    for path in GUATU.rglob("*.py"):
        if "tests" in path.parts or path.name == "labels.py" or "migrations" in path.parts:
            continue
        found.update(ACTION.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_label_has_a_writer():
    written = _written_actions()
    assert sorted(action for action in ACTION_LABELS if action not in written) == []


def test_every_typed_helper_writes_an_action_with_a_label():
    actions = set(ACTION.findall(Path(events.__file__).read_text(encoding="utf-8")))
    assert actions and sorted(actions - set(ACTION_LABELS)) == []


@pytest.mark.django_db
def test_typed_helpers_record_the_event_against_its_project(world):
    plan = annual_plan_set(project=world.project_a, year=2023, amount=Decimal("5"), by=world.city_admin)
    event = AuditEvent.objects.filter(object_type="annualplan", object_id=plan.pk).latest("id")
    assert (event.action, event.project_id, event.actor) == ("plan.set", world.project_a.pk, world.city_admin)
    created = AuditEvent.objects.get(action="project.create", object_id=world.project_a.pk)
    assert created.project_id == world.project_a.pk and created.after["name"] == world.project_a.name
    changed = events.user_changed(
        world.viewer, before={"role": "viewer"}, after={"role": "reviewer"}, by=world.city_admin
    )
    assert (changed.action, changed.object_type, changed.project_id) == ("user.update", "user", None)
