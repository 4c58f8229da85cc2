"""`qorgau demo`: the city it builds, that it builds it only once, that every demo login works, and the
season of inspections and orders it writes over the standard city."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone, translation

from qorgau.accounts.models import ROLE_ORGANISATION_KIND, Organisation, Role, User
from qorgau.accounts.scoping import scope_for
from qorgau.core import demo
from qorgau.core.context_processors import menu_for
from qorgau.core.models import ChangeRecord
from qorgau.inspections.models import Answer, Campaign, Inspection, InspectionEvent, Photo
from qorgau.orders.models import Amendment, Notification, Order, OrderEvent, OrderItem, SchoolReport
from qorgau.registry.bin import bin_problem
from qorgau.registry.districts import ALMATY_DISTRICTS
from qorgau.registry.models import (
    AccessPoint,
    Camera,
    District,
    EquipmentStatus,
    GuardContract,
    GuardPost,
    PanicButton,
    School,
    SecurityFirm,
    size_tier_for,
)

pytestmark = pytest.mark.django_db

SMALL = 16  # two schools per district: enough for every login, fast enough for every test
CODES = [row[0] for row in ALMATY_DISTRICTS]
COUNTED = [District, School, Camera, PanicButton, AccessPoint, GuardPost, GuardContract, SecurityFirm]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def small_demo() -> str:
    return run_demo("--schools", str(SMALL))


def counts() -> dict[str, int]:
    models = [*COUNTED, User, Organisation, ChangeRecord]
    return {m.__name__: m.objects.count() for m in models}


def test_it_spreads_the_schools_over_the_eight_districts_of_the_data_migration():
    before = set(District.objects.values_list("id", flat=True))
    run_demo("--schools", str(SMALL))
    assert set(District.objects.values_list("id", flat=True)) == before
    per_district = dict(School.objects.values_list("district__code").annotate(n=Count("id")))
    assert sorted(per_district) == sorted(CODES)
    assert sum(per_district.values()) == SMALL


def test_every_district_has_a_chief_an_inspector_and_a_school_administrator(small_demo):
    for code in CODES:
        c = code.lower()
        chief = User.objects.get(username=f"chief_{c}")
        inspector = User.objects.get(username=f"inspector_{c}")
        head = User.objects.get(username=f"school_{c}")
        assert (chief.role, chief.organisation.district.code) == (Role.DISTRICT_CHIEF, code)
        assert (inspector.role, inspector.organisation.district.code) == (Role.INSPECTOR, code)
        assert (head.role, head.organisation.school.district.code) == (Role.SCHOOL_ADMIN, code)
        assert chief.organisation.name == chief.organisation.district.police_office


def test_there_is_a_login_for_every_role_inside_an_organisation_of_its_kind(small_demo):
    users = list(User.objects.select_related("organisation"))
    assert {u.role for u in users} == set(Role.values)
    for user in users:
        assert user.organisation.kind == ROLE_ORGANISATION_KIND[user.role], user.username
        assert scope_for(user).level != "none", user.username
        assert user.first_name and user.last_name and user.position, user.username
    city = User.objects.get(username="city")
    assert city.is_staff and city.is_superuser
    assert not User.objects.exclude(username="city").filter(is_staff=True).exists()
    assert 1 <= User.objects.filter(language="kk").count() <= 2


def test_one_firm_has_an_expired_licence_and_one_expires_within_30_days(small_demo):
    today = timezone.localdate()
    assert SecurityFirm.objects.filter(licence_expiry__lt=today).count() == 1
    assert SecurityFirm.objects.filter(licence_expiry__range=(today, today + timedelta(days=30))).count() == 1
    assert all(bin_problem(b) is None for b in SecurityFirm.objects.values_list("bin", flat=True))
    assert all(name.startswith("ТОО «") for name in SecurityFirm.objects.values_list("name", flat=True))
    assert User.objects.filter(role=Role.SECURITY_FIRM).count() == SecurityFirm.objects.count()


def test_schools_are_plausible(small_demo):
    for school in School.objects.select_related("district"):
        assert bin_problem(school.bin) is None
        assert school.size_tier == size_tier_for(school.pupils, school.district.city_status)
        assert 300 <= school.pupils <= 2800
        assert 1 <= school.shifts <= 3
        assert 43.1 < school.latitude < 43.4 and 76.7 < school.longitude < 77.1
        assert school.head_name.count(" ") == 2 and school.head_phone.startswith("+7 7")
        assert school.organisation.name == school.name_ru
        assert 1 <= school.panic_buttons.count() <= 3
        assert 1 <= school.access_points.count() <= 4
        assert 1 <= school.guard_posts.count() <= 2
        assert school.guard_contracts.filter(is_current=True).count() <= 1


def test_a_second_run_creates_nothing_and_prints_the_logins_again(small_demo):
    before = counts()
    output = run_demo()
    assert counts() == before
    assert "already present" in output
    for username in User.objects.values_list("username", flat=True):
        assert username in output


def test_the_output_lists_every_login_with_its_password_and_what_it_sees(small_demo):
    for user in User.objects.select_related("organisation__school", "organisation__district"):
        line = next(line for line in small_demo.splitlines() if f"  {user.username}  " in line)
        assert demo.DEMO_PASSWORD in line
        org = user.organisation
        if org.school_id:
            assert org.school.name_ru in line
        if org.district_id:
            assert org.district.name_ru in line


def test_every_demo_user_logs_in_with_the_demo_password_and_lands_on_their_home(client, small_demo):
    # The pages switch to each user's language; override() puts the test's language back afterwards.
    with translation.override(None):
        for user in User.objects.select_related("organisation"):
            assert client.login(username=user.username, password=demo.DEMO_PASSWORD), user.username
            response = client.get("/")
            if user.role == Role.SCHOOL_ADMIN:
                expected = f"/schools/{user.organisation.school_id}/"
            elif user.role == Role.SECURITY_FIRM:
                expected = f"/firms/{user.organisation.firm_id}/"
            elif user.role == Role.INSPECTOR:
                expected = "/inspections/"
            elif user.role in (Role.CITY_SUPERVISOR, Role.EDUCATION, Role.DISTRICT_CHIEF):
                expected = "/dashboard/"
            else:
                expected = "/schools/"
            assert response.status_code == 302 and response.url == expected, user.username
            assert client.get(expected).status_code == 200, user.username
            client.logout()


def test_the_demo_password_passes_the_password_validators():
    user = User(username="inspector_alt", first_name="Айгерим Нурлановна", last_name="Сейткалиева")
    validate_password(demo.DEMO_PASSWORD, user=user)


def test_the_login_schools_show_a_history_written_through_the_services(client, small_demo):
    for code in CODES:
        c = code.lower()
        school_id = User.objects.get(username=f"school_{c}").organisation.school_id
        records = ChangeRecord.objects.filter(school_id=school_id)
        assert records.filter(actor__username=f"inspector_{c}", object_type="registry.camera").exists()
        assert records.filter(actor__username=f"school_{c}", object_type="registry.panicbutton").exists()
    client.login(username="school_alm", password=demo.DEMO_PASSWORD)
    passport = client.get("/", follow=True)
    assert len(passport.context["passport"].history) == 2
    assert "При проверке нет изображения" in passport.content.decode()


def test_the_demo_is_the_same_every_time(small_demo):
    def fingerprint():
        schools = list(
            School.objects.order_by("bin").values_list("bin", "name_ru", "address", "pupils", "head_name")
        )
        firms = list(SecurityFirm.objects.order_by("bin").values_list("bin", "name", "licence_no"))
        cameras = list(
            Camera.objects.order_by("school__bin", "location").values_list("location", "linked_to_police")
        )
        return schools, firms, cameras

    first = fingerprint()
    User.objects.all().delete()  # users hold their organisation, so they go first
    Organisation.objects.all().delete()
    School.objects.all().delete()
    SecurityFirm.objects.all().delete()
    run_demo("--schools", str(SMALL))
    assert fingerprint() == first


def test_it_refuses_fewer_schools_than_districts():
    with pytest.raises(CommandError):
        run_demo("--schools", "3")
    assert not School.objects.exists()


def test_the_default_demo_looks_like_almaty():
    output = run_demo("--no-history")
    assert School.objects.count() == demo.DEFAULT_SCHOOLS
    cameras = Camera.objects.count()
    linked = Camera.objects.filter(linked_to_police=True).count()
    # Almaty, 2021: 207 schools, 4,414 cameras, 2,620 of them linked to the police operations centre.
    assert 4_000 <= cameras <= 4_800
    assert 0.55 <= linked / cameras <= 0.65
    assert Camera.objects.filter(archive_days__lt=30).exists()
    assert Camera.objects.exclude(status=EquipmentStatus.WORKING).count() < cameras * 0.08
    schools_with_current_contract = GuardContract.objects.filter(is_current=True).values("school").distinct()
    assert 0 < School.objects.exclude(id__in=schools_with_current_contract).count() < 20
    assert GuardContract.objects.filter(is_current=True, valid_until__lt=timezone.localdate()).exists()
    assert School.objects.filter(name_ru__startswith="Назарбаев Интеллектуальная школа").count() == 1
    assert School.objects.filter(name_ru__startswith="Лицей № ").exists()
    assert "Demo city created" in output


def test_a_city_of_a_chosen_size_gets_no_history(small_demo):
    assert "History:" not in small_demo
    assert not Campaign.objects.exists()
    assert not Inspection.objects.exists()


# ---------------------------------------------------------------------------------------------------------
# The season: written once for the tests below (about ten seconds: orders render real PDFs and DOCX files),
# rolled back after them.

HISTORY_COUNTED = [
    Campaign, Inspection, InspectionEvent, Answer, Photo, Order, OrderItem, OrderEvent, SchoolReport,
    Amendment, Notification,
]  # fmt: skip


@dataclass
class Season:
    output: str
    media: Path


@pytest.fixture(scope="class")
def season(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings = override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast)
    with django_db_blocker.unblock(), settings, transaction.atomic():
        output = run_demo("--schools", str(SMALL), "--history")
        yield Season(output, media)
        transaction.set_rollback(True)


def stored(season: Season, name: str) -> bytes:
    return (season.media / name).read_bytes()


@pytest.mark.usefixtures("season")
class TestTheSeason:
    @pytest.fixture(autouse=True)
    def _media(self):
        """The season's files stay where it wrote them."""

    def test_the_campaign_covers_the_eight_districts_with_inspections_of_every_status(self, season):
        campaign = Campaign.objects.get()
        assert campaign.name.endswith(f"проверка АТЗ школ — {campaign.starts_on.year}")
        today = timezone.localdate()
        assert campaign.starts_on == today - timedelta(days=80)
        assert campaign.ends_on == today + timedelta(days=20)
        assert sorted(campaign.districts.values_list("code", flat=True)) == sorted(CODES)
        assert campaign.inspections.count() == School.objects.count()
        assert set(campaign.inspections.values_list("status", flat=True)) == set(Inspection.Status.values)
        assigned = campaign.inspections.exclude(inspector=None)
        assert all(i.inspector.organisation.district_id == i.district_id for i in assigned)
        assert all(campaign.starts_on <= i.planned_on <= campaign.ends_on for i in assigned)
        assert "History: inspections" in season.output

    def test_answered_inspections_pass_most_items_and_fail_a_few_with_comments(self):
        for inspection in Inspection.objects.filter(status__in=["submitted", "approved"]):
            results = list(inspection.answers.values_list("result", flat=True))
            assert results.count("pass") > len(results) * 0.7
            assert 2 <= results.count("fail") <= 9, inspection.pk
        half = Inspection.objects.filter(status="in_progress").first()
        assert 0 < half.answers.count() < Answer.objects.filter(inspection__status="approved").count()
        comments = set(Answer.objects.exclude(comment="").values_list("comment", flat=True))
        assert any(c.startswith("Журнал посетителей не ведётся с ") for c in comments)
        entry = Answer.objects.filter(item__code="AC-6", result="fail")
        assert entry.count() == 1  # one school let the inspector walk in
        assert Photo.objects.filter(findings__isnull=False).exists()

    def test_approved_inspections_were_approved_by_their_chief_with_act_numbers_in_order(self):
        for code in CODES:
            approved = list(
                Inspection.objects.filter(district__code=code, status="approved")
                .select_related("approved_by__organisation", "district")
                .order_by("approved_at")
            )
            for year in {i.act_year for i in approved}:  # a campaign may run over the New Year
                numbers = [i.act_seq for i in approved if i.act_year == year]
                assert numbers == list(range(1, len(numbers) + 1)), code
            for inspection in approved:
                assert inspection.act_number.startswith(f"{code}-{inspection.act_year}-")
                assert inspection.approved_by.role == Role.DISTRICT_CHIEF
                assert inspection.approved_by.organisation.district_id == inspection.district_id
        returned = InspectionEvent.objects.filter(action="returned")
        assert returned.exists() and all(e.comment for e in returned)

    def test_issued_orders_keep_their_documents_whose_sha256_match(self, season):
        issued = Order.objects.exclude(status=Order.Status.DRAFT)
        assert issued.count() >= 12
        for order in issued:
            pdf, docx = stored(season, order.pdf_file), stored(season, order.docx_file)
            assert pdf.startswith(b"%PDF") and docx.startswith(b"PK")
            assert hashlib.sha256(pdf).hexdigest() == order.pdf_sha256
            assert hashlib.sha256(docx).hexdigest() == order.docx_sha256
        for amendment in Amendment.objects.all():
            assert hashlib.sha256(stored(season, amendment.pdf_file)).hexdigest() == amendment.pdf_sha256

    def test_the_orders_have_a_history_of_every_kind(self):
        assert OrderItem.objects.filter(status="open", overdue_since__isnull=False).exists()
        assert OrderItem.objects.filter(
            referred_at__isnull=False, referred_by__role=Role.DISTRICT_CHIEF
        ).exists()
        assert Order.objects.filter(status=Order.Status.CLOSED).exists()
        assert {"online", "paper", "refused"} <= set(Order.objects.values_list("delivery", flat=True))
        assert SchoolReport.objects.filter(kind="fix", decision="accepted", evidence__isnull=False).exists()
        assert (
            SchoolReport.objects.filter(kind="fix", decision="rejected").exclude(decision_reason="").exists()
        )
        assert SchoolReport.objects.filter(kind="fix", decision="").exists()  # waiting for the inspector
        assert Amendment.objects.filter(kind="extend").exists()
        assert Amendment.objects.filter(kind="withdraw").exists()
        assert OrderItem.objects.filter(status="withdrawn").exists()
        kinds = set(Notification.objects.values_list("kind", flat=True))
        assert {"issued", "overdue", "reported", "decided"} <= kinds
        assert Inspection.objects.filter(kind=Inspection.Kind.FOLLOW_UP).exists()

    def test_it_all_happened_in_the_past_in_calendar_order(self):
        now = timezone.now()
        for model, stamp in [
            (InspectionEvent, "at"), (OrderEvent, "at"), (SchoolReport, "at"), (Amendment, "at"),
            (Notification, "created_at"), (Photo, "uploaded_at"), (Answer, "updated_at"),
        ]:  # fmt: skip
            assert not model.objects.filter(**{f"{stamp}__gt": now}).exists(), model.__name__
        for order in Order.objects.exclude(status="draft"):
            issued = timezone.localtime(order.issued_at).date()
            assert order.issued_at < now and order.inspection.approved_at < order.issued_at
            for item in order.items.all():
                assert item.deadline > issued
                if item.overdue_since:
                    assert item.overdue_since > item.deadline
        # Not one stamp was left at the real time while the history was written (only tonight's deadline
        # job may have run within the last hour).
        recent = OrderEvent.objects.filter(at__gt=now - timedelta(hours=1))
        assert not recent.exclude(action__in=["overdue", "escalated"]).exists()

    def test_the_clock_is_djangos_own_again(self):
        from django.utils import timezone as django_timezone

        assert django_timezone.now.__module__ == "django.utils.timezone"
        stamp = Notification._meta.get_field("created_at").get_default()
        assert abs(stamp - django_timezone.now()) < timedelta(seconds=5)

    def test_every_demo_school_has_an_approved_inspection_and_an_issued_order(self):
        admins = User.objects.filter(role=Role.SCHOOL_ADMIN).select_related("organisation")
        assert admins.count() >= len(CODES)
        for admin in admins:
            school_id = admin.organisation.school_id
            assert Inspection.objects.filter(school_id=school_id, status="approved").exists(), admin.username
            assert Order.objects.filter(school_id=school_id).exclude(status="draft").exists(), admin.username

    def test_a_second_run_creates_nothing_new(self):
        before = {m.__name__: m.objects.count() for m in [*COUNTED, *HISTORY_COUNTED, User]}
        output = run_demo()
        assert "already present" in output
        assert {m.__name__: m.objects.count() for m in [*COUNTED, *HISTORY_COUNTED, User]} == before

    def test_every_demo_user_sees_their_pages(self, client, season):
        with translation.override(None):
            for user in User.objects.select_related("organisation"):
                client.force_login(user)
                assert client.get("/", follow=True).status_code == 200, user.username
                for key, _label, url in menu_for(user):
                    assert client.get(url).status_code == 200, (user.username, key)
                if user.role == Role.SCHOOL_ADMIN:
                    order = Order.objects.filter(
                        school_id=user.organisation.school_id, status="issued"
                    ).first()
                    order = order or Order.objects.get(school_id=user.organisation.school_id)
                    page = client.get(f"/orders/{order.pk}/")
                    assert page.status_code == 200 and order.number in page.content.decode()
                    pdf = client.get(f"/orders/{order.pk}/order.pdf")
                    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == order.pdf_sha256
                if user.role in (Role.INSPECTOR, Role.DISTRICT_CHIEF):
                    district = user.organisation.district_id
                    inspection = Inspection.objects.filter(district_id=district, status="approved").first()
                    assert client.get(f"/inspections/{inspection.pk}/").status_code == 200, user.username
                    order = Order.objects.filter(district_id=district).first()
                    assert client.get(f"/orders/{order.pk}/").status_code == 200, user.username
                client.logout()
