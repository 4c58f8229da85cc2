"""Checklist versions: a draft copied from the published version, item changes, publishing, freezing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from qorgau.checklists import services
from qorgau.checklists.models import ChecklistTemplate, FrozenVersionError, Item, TemplateVersion
from qorgau.core.errors import InvalidTransition, NotAllowed
from qorgau.core.models import ChangeRecord
from qorgau.inspections import services as inspection_services
from qorgau.inspections.models import Answer
from qorgau.tests.factories import InspectionFactory, default_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1():
    return default_version()


@pytest.fixture
def draft(v1, city_supervisor):
    return services.draft_create(actor=city_supervisor, template=v1.template)


def item_data(item: Item, **changes) -> dict:
    data = {name: getattr(item, name) for name in services.ITEM_FIELDS}
    data.update(changes)
    return data


def new_item_data(draft: TemplateVersion, **changes) -> dict:
    return {
        "section": draft.sections.get(code="SR"),
        "code": "SR-7",
        "text_ru": "Проведена учебная эвакуация",
        "text_kk": "Оқу эвакуациясы өткізілді",
        "legal_ref": "Инструкция № 117",
        "severity": "S",
        "answer_kind": "yes_no",
        "tiers": "T1,T2,T3",
        **changes,
    }


def english_errors(call) -> dict[str, list[str]]:
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            call()
        return error.value.message_dict


# Drafts ------------------------------------------------------------------------------------------------


def test_a_draft_is_a_copy_of_the_latest_published_version(v1, draft, city_supervisor):
    assert draft.number == 2
    assert draft.status == TemplateVersion.Status.DRAFT
    assert draft.based_on == v1
    assert draft.created_by == city_supervisor
    copied = list(
        draft.items.values_list("code", "section__code", "text_ru", "severity", "tiers", "threshold")
    )
    original = list(
        v1.items.values_list("code", "section__code", "text_ru", "severity", "tiers", "threshold")
    )
    assert copied == original
    assert len(copied) == 31
    assert list(draft.sections.values_list("code", "order")) == list(v1.sections.values_list("code", "order"))
    # The copy's items sit in the copy's sections, never in the original's.
    assert not draft.items.exclude(section__version=draft).exists()


def test_a_draft_takes_the_next_number_after_every_version(v1, city_supervisor):
    draft = services.draft_create(actor=city_supervisor, template=v1.template)
    services.version_publish(actor=city_supervisor, version=draft, notes="Уточнена формулировка")
    third = services.draft_create(actor=city_supervisor, template=v1.template)
    assert third.number == 3
    assert third.based_on == draft


def test_a_second_draft_of_the_same_template_is_refused_and_points_to_the_first(draft, city_supervisor):
    with pytest.raises(services.DraftExists) as refused:
        services.draft_create(actor=city_supervisor, template=draft.template)
    assert refused.value.draft == draft
    assert TemplateVersion.objects.filter(template=draft.template, status="draft").count() == 1


def test_a_template_without_a_published_version_gets_an_empty_first_draft(city_supervisor):
    template = ChecklistTemplate.objects.create(
        code="kindergarten", name_ru="Детский сад", name_kk="Балабақша"
    )
    draft = services.draft_create(actor=city_supervisor, template=template)
    assert (draft.number, draft.based_on, draft.items.count()) == (1, None, 0)


@pytest.mark.parametrize(
    "persona", ["chief_x", "inspector_x", "education_user", "school_admin_a", "firm_user"]
)
def test_only_the_city_supervisor_makes_drafts(request, v1, persona):
    with pytest.raises(NotAllowed):
        services.draft_create(actor=request.getfixturevalue(persona), template=v1.template)
    assert not TemplateVersion.objects.filter(status="draft").exists()


# Items -------------------------------------------------------------------------------------------------


def test_an_item_of_a_draft_changes_and_the_change_is_recorded(v1, draft, city_supervisor):
    item = draft.items.get(code="PA-3")
    saved = services.item_save(
        actor=city_supervisor,
        version=draft,
        item=item,
        data=item_data(item, text_ru="Новый текст", threshold=300),
    )
    saved.refresh_from_db()
    assert saved.text_ru == "Новый текст"
    assert saved.threshold == Decimal("300")
    assert v1.items.get(code="PA-3").text_ru != "Новый текст"
    record = ChangeRecord.objects.get(object_type="checklists.item", object_id=item.pk)
    assert record.action == ChangeRecord.Action.UPDATED
    assert record.actor == city_supervisor
    assert record.school is None and record.district is None
    assert record.changes["text_ru"][1] == "Новый текст"
    assert set(record.changes) == {"text_ru", "threshold"}


def test_a_new_item_goes_to_the_end_of_its_section(draft, city_supervisor):
    last = draft.items.filter(section__code="SR").order_by("-order").first()
    item = services.item_save(actor=city_supervisor, version=draft, data=new_item_data(draft))
    assert item.version == draft
    assert item.order == last.order + 1
    record = ChangeRecord.objects.get(object_type="checklists.item", object_id=item.pk)
    assert record.action == ChangeRecord.Action.CREATED


def test_a_code_already_in_the_version_is_refused_on_the_code_field(draft, city_supervisor):
    errors = english_errors(
        lambda: services.item_save(
            actor=city_supervisor, version=draft, data=new_item_data(draft, code="pa-1")
        )
    )
    assert errors == {"code": ["Item pa-1 already exists in this version; choose another code."]}


def test_an_item_keeps_its_own_code_when_saved_again(draft, city_supervisor):
    item = draft.items.get(code="PA-1")
    services.item_save(
        actor=city_supervisor, version=draft, item=item, data=item_data(item, legal_ref="ПП № 305")
    )
    assert draft.items.get(code="PA-1").legal_ref == "ПП № 305"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"tiers": "T4"}, "tiers", "Give one or more of T1, T2, T3."),
        ({"tiers": ""}, "tiers", "Give one or more of T1, T2, T3."),
        ({"answer_kind": "number", "threshold": None}, "threshold", "A number answer needs a threshold."),
        ({"answer_kind": "date", "max_age_days": None}, "max_age_days", "A date answer needs a maximum age."),
        ({"severity": "X"}, "severity", "Value 'X' is not a valid choice."),
        ({"text_ru": ""}, "text_ru", "This field cannot be blank."),
    ],
)
def test_item_rules_are_checked_field_by_field(draft, city_supervisor, changes, field, message):
    item = draft.items.get(code="SR-1")
    errors = english_errors(
        lambda: services.item_save(
            actor=city_supervisor, version=draft, item=item, data=item_data(item, **changes)
        )
    )
    assert message in errors[field]


def test_a_section_of_another_version_is_refused(v1, draft, city_supervisor):
    errors = english_errors(
        lambda: services.item_save(
            actor=city_supervisor,
            version=draft,
            data=new_item_data(draft, section=v1.sections.get(code="SR")),
        )
    )
    assert errors == {"section": ["Choose a section of this version."]}


def test_an_item_of_another_version_cannot_be_saved_through_this_one(v1, draft, city_supervisor):
    item = v1.items.get(code="PA-1")
    with pytest.raises(ValidationError):
        services.item_save(actor=city_supervisor, version=draft, item=item, data={"text_ru": "x"})


def test_unknown_fields_are_refused(draft, city_supervisor):
    item = draft.items.get(code="PA-1")
    errors = english_errors(
        lambda: services.item_save(actor=city_supervisor, version=draft, item=item, data={"version": draft})
    )
    assert errors == {"version": ["This field cannot be set here."]}


def test_an_item_of_a_draft_is_deleted_with_a_record(draft, city_supervisor):
    item = draft.items.get(code="PE-2")
    item_id = item.pk
    services.item_delete(actor=city_supervisor, item=item)
    assert not draft.items.filter(code="PE-2").exists()
    record = ChangeRecord.objects.get(object_type="checklists.item", object_id=item_id)
    assert record.action == ChangeRecord.Action.DELETED
    assert record.changes["code"] == ["PE-2", None]


@pytest.mark.parametrize("persona", ["chief_x", "inspector_x", "education_user", "school_admin_a"])
def test_only_the_city_supervisor_changes_items(request, draft, persona):
    actor = request.getfixturevalue(persona)
    item = draft.items.get(code="PA-1")
    with pytest.raises(NotAllowed):
        services.item_save(actor=actor, version=draft, item=item, data={"text_ru": "x"})
    with pytest.raises(NotAllowed):
        services.item_save(actor=actor, version=draft, data=new_item_data(draft))
    with pytest.raises(NotAllowed):
        services.item_delete(actor=actor, item=item)
    with pytest.raises(NotAllowed):
        services.version_publish(actor=actor, version=draft, notes="x")
    item.refresh_from_db()
    assert item.text_ru != "x"
    assert draft.items.count() == 31


# Publishing and freezing -------------------------------------------------------------------------------


def test_publishing_freezes_the_draft_and_records_who_and_what_changed(draft, city_supervisor):
    published = services.version_publish(
        actor=city_supervisor, version=draft, notes="  PA-3: время прибытия  "
    )
    published.refresh_from_db()
    assert published.status == TemplateVersion.Status.PUBLISHED
    assert published.notes == "PA-3: время прибытия"
    assert published.published_by == city_supervisor
    assert published.published_at is not None
    record = ChangeRecord.objects.get(
        object_type="checklists.templateversion", object_id=draft.pk, action="updated"
    )
    assert record.changes["status"] == ["draft", "published"]
    assert inspection_services.latest_published_version() == published


def test_publishing_needs_notes_on_what_changed(draft, city_supervisor):
    errors = english_errors(
        lambda: services.version_publish(actor=city_supervisor, version=draft, notes="  ")
    )
    assert errors == {"notes": ["Say what changed in this version."]}
    draft.refresh_from_db()
    assert draft.is_draft


def test_an_empty_draft_cannot_be_published(city_supervisor):
    template = ChecklistTemplate.objects.create(code="empty", name_ru="Пусто", name_kk="Бос")
    draft = services.draft_create(actor=city_supervisor, template=template)
    with pytest.raises(ValidationError):
        services.version_publish(actor=city_supervisor, version=draft, notes="Первая версия")


def test_a_published_version_refuses_every_change_before_touching_the_database(v1, city_supervisor):
    item = v1.items.get(code="PA-1")
    with pytest.raises(InvalidTransition):
        services.item_save(actor=city_supervisor, version=v1, item=item, data={"text_ru": "Другой текст"})
    with pytest.raises(InvalidTransition):
        services.item_save(actor=city_supervisor, version=v1, data=new_item_data(v1, code="SR-9"))
    with pytest.raises(InvalidTransition):
        services.item_delete(actor=city_supervisor, item=item)
    with pytest.raises(InvalidTransition):
        services.version_publish(actor=city_supervisor, version=v1, notes="again")
    item.refresh_from_db()
    assert item.text_ru == "Установлена стационарная или мобильная тревожная кнопка"
    assert v1.items.count() == 31
    assert not ChangeRecord.objects.filter(object_type="checklists.item").exists()


def test_a_draft_published_meanwhile_refuses_a_change_from_a_stale_copy(draft, city_supervisor):
    stale = TemplateVersion.objects.get(pk=draft.pk)
    services.version_publish(actor=city_supervisor, version=draft, notes="Готово")
    item = stale.items.get(code="PA-1")
    with pytest.raises(InvalidTransition):
        services.item_save(actor=city_supervisor, version=stale, item=item, data={"text_ru": "Поздно"})


def test_the_models_still_refuse_to_change_a_published_version_behind_the_services(v1):
    item = v1.items.get(code="PA-1")
    item.text_ru = "x"
    with pytest.raises(FrozenVersionError):
        item.save()


def test_publishing_a_new_version_leaves_earlier_inspections_and_their_answers_alone(
    v1, school_a, inspector_x, city_supervisor
):
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    old_item = v1.items.get(code="AC-1")
    old_text = old_item.text_ru
    answer = inspection_services.answer_save(
        actor=inspector_x, inspection=inspection, item=old_item, raw={"value": "no"}, base_version=0
    )

    draft = services.draft_create(actor=city_supervisor, template=v1.template)
    new_item = draft.items.get(code="AC-1")
    services.item_save(
        actor=city_supervisor,
        version=draft,
        item=new_item,
        data=item_data(
            new_item, text_ru="Приказ о пропускном режиме утверждён и доведён до персонала", severity="G"
        ),
    )
    services.version_publish(actor=city_supervisor, version=draft, notes="AC-1: новая формулировка")

    inspection.refresh_from_db()
    assert inspection.template_version_id == v1.pk
    stored = Answer.objects.select_related("item").get(pk=answer.pk)
    assert stored.item_id == old_item.pk
    assert stored.item.text_ru == old_text
    assert stored.item.severity == "S"
    assert (stored.value, stored.result, stored.version) == ({"value": "no"}, "fail", 1)
    assert {i.version_id for i in inspection_services.applicable_items(inspection)} == {v1.pk}
    # New inspections get the new wording.
    assert (
        inspection_services.latest_published_version()
        .items.get(code="AC-1")
        .text_ru.startswith("Приказ о пр")
    )
