import pytest

from qorgau.accounts.models import Role
from qorgau.public.demo import CONCERNS, demo_concerns_create
from qorgau.public.models import Concern
from qorgau.tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_demo_fills_a_districts_queue_with_concerns_in_every_status(school_a, district_x):
    inspector = make_user(Role.INSPECTOR, district=district_x, username="inspector_tx")
    make_user(Role.DISTRICT_CHIEF, district=district_x, username="chief_tx")
    assert demo_concerns_create(seed=2026, district_codes=["TX", "NONE"]) == len(CONCERNS)
    statuses = set(Concern.objects.values_list("status", flat=True))
    assert statuses == {"received", "in_work", "closed"}
    assert set(Concern.objects.values_list("outcome", flat=True)) == {"", "dismissed", "resolved"}
    linked = Concern.objects.get(inspection__isnull=False)
    assert linked.inspection.kind == "adhoc" and linked.inspection.inspector == inspector
    # Written in the past days, each step after the report it answers.
    for concern in Concern.objects.all():
        times = [e.at for e in concern.events.all()]
        assert times == sorted(times) and times[0] == concern.created_at
