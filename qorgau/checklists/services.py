"""Writes to checklist templates. Only a draft version changes; publishing freezes it for good.

Every inspection keeps the version it was started with, so a change is made in a new draft copied from
the latest published version and reaches new inspections only once that draft is published.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.accounts import policy
from qorgau.checklists.models import ChecklistTemplate, Item, Section, TemplateVersion
from qorgau.core.errors import InvalidTransition, NotAllowed
from qorgau.core.history import record_change, snapshot
from qorgau.core.models import ChangeRecord
from qorgau.core.services import assign

ITEM_FIELDS = (
    "section", "code", "order", "text_ru", "text_kk", "text_en", "legal_ref", "severity", "answer_kind",
    "threshold", "max_age_days", "tiers", "prefill", "remedy_ru", "remedy_kk", "fix_kind",
)  # fmt: skip

Action = ChangeRecord.Action


class DraftExists(InvalidTransition):
    """The template already has a draft; there is only ever one, so changes are made in that one."""

    def __init__(self, message: str, draft: TemplateVersion):
        super().__init__(message)
        self.draft = draft


def _require_manager(actor) -> None:
    if not policy.can_manage_checklists(actor):
        raise NotAllowed(_("You may not change checklists."))


def _locked_draft(version: TemplateVersion) -> TemplateVersion:
    """The version's row, locked until the end of the transaction, if it is still a draft.

    The lock makes a change to an item and the publishing of its version wait for each other, so nothing
    slips into a version after it was published.
    """
    locked = TemplateVersion.objects.select_for_update().get(pk=version.pk)
    if not locked.is_draft:
        raise InvalidTransition(_("A published checklist version cannot be changed; make a new draft."))
    return locked


def _draft_exists(draft: TemplateVersion) -> DraftExists:
    return DraftExists(
        _("This checklist already has a draft (version %(number)d); continue there.")
        % {"number": draft.number},
        draft,
    )


@transaction.atomic
def draft_create(*, actor, template: ChecklistTemplate) -> TemplateVersion:
    """A new draft version, a copy of the latest published version's sections and items."""
    _require_manager(actor)
    # Serialises drafts of one template, so the number and the copy are taken from a settled state.
    ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    versions = TemplateVersion.objects.filter(template=template)
    existing = versions.filter(status=TemplateVersion.Status.DRAFT).first()
    if existing is not None:
        raise _draft_exists(existing)
    source = versions.filter(status=TemplateVersion.Status.PUBLISHED).order_by("-number").first()
    number = (versions.aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            draft = TemplateVersion.objects.create(
                template=template, number=number, based_on=source, created_by=actor
            )
    except IntegrityError:
        # Only reachable if the lock above were bypassed; the database's one-draft rule still holds.
        raise _draft_exists(versions.get(status=TemplateVersion.Status.DRAFT)) from None
    if source is not None:
        _copy_parts(source, draft)
    record_change(actor=actor, instance=draft, action=Action.CREATED)
    return draft


def _copy_parts(source: TemplateVersion, draft: TemplateVersion) -> None:
    sections = list(source.sections.all())
    new_sections = Section.objects.bulk_create(
        [
            Section(version=draft, code=s.code, order=s.order, title_ru=s.title_ru, title_kk=s.title_kk,
                    title_en=s.title_en)
            for s in sections
        ]
    )  # fmt: skip
    section_for = {old.pk: new for old, new in zip(sections, new_sections, strict=True)}
    items = []
    for item in source.items.all():
        copy = Item(version=draft, section=section_for[item.section_id])
        for name in ITEM_FIELDS:
            if name != "section":
                setattr(copy, name, getattr(item, name))
        items.append(copy)
    Item.objects.bulk_create(items)


def _assign(item: Item, data: dict[str, Any]) -> None:
    # No position means "at the end of its section" (worked out when the item is saved).
    at_end = data.get("order", 0) is None
    given = {name: value for name, value in data.items() if not (name == "order" and at_end)}
    assign(item, given, ITEM_FIELDS)
    if at_end:
        item.order = None
    item.code = (item.code or "").strip()


def _check_item(item: Item, version: TemplateVersion) -> None:
    if item.section_id is None or not version.sections.filter(pk=item.section_id).exists():
        raise ValidationError({"section": _("Choose a section of this version.")})
    taken = Item.objects.filter(version=version, code__iexact=item.code).exclude(pk=item.pk)
    if item.code and taken.exists():
        raise ValidationError(
            {
                "code": _("Item %(code)s already exists in this version; choose another code.")
                % {"code": item.code}
            }
        )


@transaction.atomic
def item_save(*, actor, version: TemplateVersion, item: Item | None = None, data: dict[str, Any]) -> Item:
    """Add an item to a draft version (no `item`) or change one of its items."""
    _require_manager(actor)
    version = _locked_draft(version)
    if item is not None and item.version_id != version.pk:
        raise ValidationError({"item": _("This item belongs to another version.")})
    creating = item is None
    item = Item(version=version) if creating else Item.objects.get(pk=item.pk)
    before = None if creating else snapshot(item)
    _assign(item, data)
    _check_item(item, version)
    if item.order is None or (creating and "order" not in data):
        last = Item.objects.filter(section_id=item.section_id).aggregate(n=Max("order"))["n"]
        item.order = 0 if last is None else last + 1
    # The one-code-per-version rule was checked above with its own message; skip Django's generic one.
    item.full_clean(validate_constraints=False)
    item.save()
    record_change(
        actor=actor, instance=item, action=Action.CREATED if creating else Action.UPDATED, before=before
    )
    return item


@transaction.atomic
def item_delete(*, actor, item: Item) -> None:
    _require_manager(actor)
    _locked_draft(item.version)
    record_change(actor=actor, instance=item, action=Action.DELETED, before=snapshot(item))
    item.delete()


@transaction.atomic
def version_publish(*, actor, version: TemplateVersion, notes: str) -> TemplateVersion:
    """Publish a draft: from now on new inspections use it, and it never changes again."""
    _require_manager(actor)
    version = _locked_draft(version)
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": _("Say what changed in this version.")})
    if not version.items.exists():
        raise ValidationError(_("A version without items cannot be published."))
    before = snapshot(version)
    version.status = TemplateVersion.Status.PUBLISHED
    version.notes = notes
    version.published_at = timezone.now()
    version.published_by = actor
    version.full_clean()
    version.save()
    record_change(actor=actor, instance=version, action=Action.UPDATED, before=before)
    return version
