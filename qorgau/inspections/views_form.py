"""The inspection form on a phone: a step per section, every answer saved on its own, photos from the camera.

Each view fetches the inspection through the scoping layer (outsiders get 404), then asks the policy (403 for
those who may only read), then calls a service. Items, photos and findings are reached through that
inspection, so an id guessed from another inspection is a 404 too.

The answer, photo and finding views answer htmx with the partial they re-draw; a conflict (someone saved the
same answer since it was loaded) is a 409 with the other person's answer, a bad value a 422 with the field
marked. Without JavaScript the forms still post and the page is shown again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from qorgau.accounts import policy
from qorgau.accounts.scoping import get_visible_or_404
from qorgau.checklists.models import AnswerKind, Item, Prefill, Severity
from qorgau.core.errors import InvalidTransition
from qorgau.core.files import atomic_with_files
from qorgau.inspections import photos, selectors, services
from qorgau.inspections.models import Answer, Finding, Inspection, InspectionEvent, Photo
from qorgau.registry.models import CameraZone

FINISH = "finish"  # the last step: free findings and submit

# The raw fields each answer kind posts; `evaluate` checks them.
KIND_FIELDS = {
    AnswerKind.YES_NO: ("value",),
    AnswerKind.YES_NO_NA: ("value",),
    AnswerKind.NUMBER: ("value",),
    AnswerKind.DATE: ("value", "none"),
    AnswerKind.PANIC_TEST: ("received", "pressed_at", "acknowledged_at", "arrived_at"),
    AnswerKind.CAMERA_SURVEY: ("total", "working", "zones_not_covered"),
    AnswerKind.ENTRY_TEST: ("stopped", "notes"),
    AnswerKind.STAFF_INTERVIEW: ("asked", "correct"),
}
COMMON_FIELDS = ("comment", "override_result", "override_reason")


def _field_labels() -> dict[str, str]:
    return {
        "value": _("Answer"),
        "none": _("Never done"),
        "received": _("Console received the signal"),
        "pressed_at": _("Pressed at"),
        "acknowledged_at": _("Console acknowledged at"),
        "arrived_at": _("Crew arrived at"),
        "total": _("Cameras in total"),
        "working": _("Cameras working"),
        "zones_not_covered": _("Zones not covered"),
        "stopped": _("Entry stopped"),
        "notes": _("Notes"),
        "asked": _("Staff asked"),
        "correct": _("Answered correctly"),
        "comment": _("Comment"),
    }


# Access ---------------------------------------------------------------------------------------------------


def _inspection(request, pk: int) -> Inspection:
    return get_visible_or_404(
        request.user, Inspection.objects.select_related("school__district", "inspector"), pk=pk
    )


def _conducting(request, pk: int) -> Inspection:
    """The inspection, for a write: outsiders 404, those who may only read 403."""
    inspection = _inspection(request, pk)
    if not policy.can_conduct_inspection(request.user):
        raise PermissionDenied
    return inspection


def _item(inspection: Inspection, item_pk) -> Item:
    """An item of the inspection's own checklist version; any other id is a 404."""
    try:
        item_pk = int(item_pk)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(
        Item.objects.select_related("section"), version_id=inspection.template_version_id, pk=item_pk
    )


def _editable(request, inspection: Inspection) -> bool:
    return policy.can_conduct_inspection(request.user) and inspection.is_editable


# What one item card shows ---------------------------------------------------------------------------------


@dataclass
class ItemCard:
    item: Item
    answer: Answer | None
    photos: list[Photo]
    fact: dict
    editable: bool
    values: dict = field(default_factory=dict)  # what the inputs show
    version: int = 0  # the answer version the inputs are based on
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflict: str = ""  # why the save was refused: who saved meanwhile, and when
    attempted: list[tuple[str, str]] = field(default_factory=list)  # what the refused save held
    prefilled: bool = False  # the inputs start from the registry's numbers, not yet confirmed

    @property
    def fact_text(self) -> str:
        return fact_text(self.item.prefill, self.fact)

    @property
    def field_errors(self) -> set[str]:
        return set(self.errors)

    @property
    def other_errors(self) -> list[str]:
        shown = set(KIND_FIELDS.get(self.item.answer_kind, ())) | set(COMMON_FIELDS)
        return [m for key, msgs in self.errors.items() if key not in shown for m in msgs]

    @property
    def zones(self) -> list[tuple[str, str, bool]]:
        chosen = set(self.values.get("zones_not_covered") or [])
        return [(value, label, value in chosen) for value, label in CameraZone.choices]

    @property
    def override_open(self) -> bool:
        return bool(
            self.values.get("override_result") or self.errors.keys() & {"override_result", "override_reason"}
        )

    @property
    def is_yes_no(self) -> bool:
        """A yes/no answer's summary only repeats the answer: the result badge says it all."""
        return self.item.answer_kind in (AnswerKind.YES_NO, AnswerKind.YES_NO_NA)

    @property
    def result_choices(self):
        return Answer.Result.choices

    @property
    def next_panic_step(self) -> str:
        """Which timing button the inspector needs next, so that one stands out."""
        for name in ("pressed_at", "acknowledged_at", "arrived_at"):
            if not self.values.get(name):
                return name
        return ""


def _saved_values(answer: Answer | None) -> dict:
    if answer is None:
        return {}
    values = dict(answer.value or {})
    values["comment"] = answer.comment
    if answer.override_reason:
        values["override_result"] = answer.result
        values["override_reason"] = answer.override_reason
    return values


def _posted_values(item: Item, data) -> dict:
    values = {name: data.get(name, "") for name in KIND_FIELDS.get(item.answer_kind, ())}
    if item.answer_kind == AnswerKind.CAMERA_SURVEY:
        values["zones_not_covered"] = data.getlist("zones_not_covered")
    if item.answer_kind == AnswerKind.DATE:
        values["none"] = data.get("none") in ("1", "on", "true")
    for name in COMMON_FIELDS:
        values[name] = data.get(name, "")
    return values


def _card(item: Item, answer: Answer | None, item_photos, fact: dict, editable: bool, **extra) -> ItemCard:
    card = ItemCard(item, answer, list(item_photos), fact, editable, **extra)
    if "values" not in extra:
        card.values = _saved_values(answer)
        card.version = answer.version if answer else 0
        if answer is None and item.answer_kind == AnswerKind.CAMERA_SURVEY and fact.get("total"):
            # A starting point the inspector confirms or corrects after counting.
            card.values.update(total=fact["total"], working=fact["working"])
            card.prefilled = True
    return card


def fact_text(prefill: str, fact: dict) -> str:
    """The registry's record, in one sentence, beside the item it helps to answer."""
    if not prefill:
        return ""
    if prefill == Prefill.CAMERAS:
        total = fact.get("total") or 0
        if not total:
            return _("No cameras on record.")
        text = ngettext(
            "On record: %(total)d camera, %(working)d working",
            "On record: %(total)d cameras, %(working)d working",
            total,
        ) % {"total": total, "working": fact.get("working") or 0}
        if fact.get("shortest_archive") is not None:
            days = fact["shortest_archive"]
            text += ", " + ngettext(
                "shortest archive %(days)d day", "shortest archive %(days)d days", days
            ) % {"days": days}
        return text
    if prefill == Prefill.ARCHIVE_DAYS:
        days = fact.get("shortest_archive")
        if days is None:
            return _("No cameras on record.")
        return ngettext(
            "On record: shortest archive %(days)d day", "On record: shortest archive %(days)d days", days
        ) % {"days": days}
    if prefill == Prefill.PANIC_BUTTONS:
        total = fact.get("total") or 0
        if not total:
            return _("No panic buttons on record.")
        return ngettext(
            "On record: %(total)d panic button, %(working)d working, %(connected)d connected to a console",
            "On record: %(total)d panic buttons, %(working)d working, %(connected)d connected to a console",
            total,
        ) % {"total": total, "working": fact.get("working") or 0, "connected": fact.get("connected") or 0}
    if prefill == Prefill.TURNSTILES:
        count = fact.get("controlled") or 0
        if not count:
            return _("No turnstiles or access control on record.")
        return ngettext(
            "On record: %(n)d entrance with turnstiles or access control",
            "On record: %(n)d entrances with turnstiles or access control",
            count,
        ) % {"n": count}
    if prefill == Prefill.GUARD_CONTRACT:
        if not fact:
            return _("No guard contract on record.")
        if fact.get("in_house"):
            text = _("On record: in-house guards")
        else:
            expiry = fact.get("firm__licence_expiry")
            text = _("On record: %(firm)s, licence %(licence)s valid until %(date)s") % {
                "firm": fact.get("firm__name") or "—",
                "licence": fact.get("firm__licence_no") or "—",
                "date": expiry.strftime("%d.%m.%Y") if expiry else "—",
            }
            if expiry and expiry < timezone.localdate():
                text += " " + _("(expired)")
        if fact.get("valid_until"):
            text += "; " + _("contract %(number)s valid until %(date)s") % {
                "number": fact.get("number") or "—",
                "date": fact["valid_until"].strftime("%d.%m.%Y"),
            }
        return text
    return ""


def _attempted(item: Item, values: dict) -> list[tuple[str, str]]:
    """What a refused save held, as label/value pairs, so the inspector can enter it again."""
    labels = _field_labels()
    words = {"yes": _("Yes"), "no": _("No"), "na": _("Not applicable")}
    zones = dict(CameraZone.choices)
    pairs = []
    for name in (*KIND_FIELDS.get(item.answer_kind, ()), "comment"):
        value = values.get(name)
        if value in (None, "", [], False):
            continue
        if name == "zones_not_covered":
            shown = ", ".join(str(zones.get(z, z)) for z in value)
        elif value is True:
            shown = _("Yes")
        else:
            shown = str(words.get(value, value))
        pairs.append((labels.get(name, name), shown))
    return pairs


# Rendering ------------------------------------------------------------------------------------------------


def _progress_context(sections) -> dict:
    """Answered/total, per section and over all, and every item with whether it is answered. The page
    keeps these up to date itself after each save (inspection.js), so a save answers only its item."""
    todo = [(s.section, fi.item, bool(fi.answer and fi.answer.result)) for s in sections for fi in s.items]
    total = len(todo)
    answered = sum(1 for _s, _i, done in todo if done)
    return {
        "progress_sections": sections,
        "total": total,
        "answered": answered,
        "unanswered_count": total - answered,
        "todo": todo,
    }


def _answer_response(request, inspection: Inspection, card: ItemCard, status: int = 200) -> HttpResponse:
    context = {"inspection": inspection, "card": card}
    return render(request, "inspections/_item_answer.html", context, status=status)


def _default_step(sections) -> str:
    for s in sections:
        if s.answered < len(s.items):
            return s.section.code
    return FINISH


def _conduct_page(request, inspection: Inspection, *, status: int = 200, step: str = "", submit_errors=()):
    form = selectors.inspection_form(inspection=inspection)
    editable = _editable(request, inspection)
    steps = []
    for s in form.sections:
        cards = [_card(fi.item, fi.answer, fi.photos, fi.prefill, editable) for fi in s.items]
        steps.append({"code": s.section.code, "title": s.section.title, "section": s, "cards": cards})
    steps.append({"code": FINISH, "title": _("Findings and submit"), "section": None, "cards": []})
    codes = [s["code"] for s in steps]
    current = step or request.GET.get("section", "")
    if current not in codes:
        current = _default_step(form.sections) if editable else codes[0]
    for i, s in enumerate(steps):
        s["prev"] = steps[i - 1] if i else None
        s["next"] = steps[i + 1] if i + 1 < len(steps) else None
    in_findings = {p.pk for f in form.free_findings for p in f.photos.all()}
    returned = None
    if inspection.status == Inspection.Status.RETURNED:
        returned = (
            inspection.events.filter(action=InspectionEvent.Action.RETURNED).select_related("actor").last()
        )
    context = {
        "inspection": inspection,
        "form": form,
        "steps": steps,
        "current": current,
        "finish": FINISH,
        "editable": editable,
        "can_conduct": policy.can_conduct_inspection(request.user),
        "returned": returned,
        "free_findings": form.free_findings,
        "general_photos": [p for p in form.free_photos if p.pk not in in_findings],
        "severities": Severity.choices,
        "finding_values": {},
        "finding_errors": {},
        "submit_errors": list(submit_errors),
        "photo_accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,image/*",
    }
    context.update(_progress_context(form.sections))
    return render(request, "inspections/conduct.html", context, status=status)


# Pages and partials ---------------------------------------------------------------------------------------


@login_required
@require_GET
def conduct(request, pk: int):
    inspection = _inspection(request, pk)
    return _conduct_page(request, inspection)


def _back_to_item(inspection: Inspection, item: Item | None, step: str = ""):
    url = reverse("inspections:conduct", args=[inspection.pk])
    if item is not None:
        return redirect(f"{url}?section={item.section.code}#item-{item.pk}")
    return redirect(f"{url}?section={step or FINISH}")


@login_required
@require_POST
def answer_save(request, pk: int, item_pk: int):
    inspection = _conducting(request, pk)
    item = _item(inspection, item_pk)
    posted = _posted_values(item, request.POST)
    raw = {name: posted[name] for name in KIND_FIELDS.get(item.answer_kind, ())}
    try:
        base_version = int(request.POST.get("version", "0"))
    except ValueError:
        base_version = -1  # never current: the save is refused as a conflict, nothing is overwritten
    status = 200
    try:
        answer = services.answer_save(
            actor=request.user,
            inspection=inspection,
            item=item,
            raw=raw,
            base_version=base_version,
            comment=posted["comment"],
            override_result=posted["override_result"],
            override_reason=posted["override_reason"],
        )
        extra = {}
    except services.EditConflict as conflict:
        # Show the answer as it now is (whoever saved it), and what this user tried to save.
        answer = _current_answer(inspection, item)
        status, extra = 409, {"conflict": str(conflict), "attempted": _attempted(item, posted)}
    except InvalidTransition as error:  # submitted or approved meanwhile
        inspection.refresh_from_db()
        answer = _current_answer(inspection, item)
        status, extra = 409, {"conflict": str(error), "attempted": _attempted(item, posted)}
    except ValidationError as error:
        answer = _current_answer(inspection, item)
        status = 422
        extra = {"values": posted, "version": base_version, "errors": error.message_dict}
    if not request.htmx:
        if status == 200:
            messages.success(request, _("Saved."))
        else:
            messages.error(
                request, extra.get("conflict") or " ".join(m for ms in extra["errors"].values() for m in ms)
            )
        return _back_to_item(inspection, item)
    # The answer box shows neither the registry's fact nor the photos (they stay in place around it).
    card = _card(item, answer, [], {}, _editable(request, inspection), **extra)
    return _answer_response(request, inspection, card, status)


def _current_answer(inspection: Inspection, item: Item) -> Answer | None:
    return Answer.objects.filter(inspection=inspection, item=item).select_related("updated_by").first()


def _photo_data(upload) -> bytes:
    if upload is None:
        raise ValidationError({"photo": _("Choose a photo.")})
    # Read one byte past the limit at most: enough for the check to refuse it, never a huge file in memory.
    return upload.read(settings.PHOTO_MAX_BYTES + 1)


@login_required
@require_POST
def photo_upload(request, pk: int):
    inspection = _conducting(request, pk)
    item = _item(inspection, request.POST["item"]) if request.POST.get("item") else None
    error, status = "", 200
    try:
        photos.photo_add(
            actor=request.user,
            inspection=inspection,
            data=_photo_data(request.FILES.get("photo")),
            item=item,
            latitude=request.POST.get("latitude") or None,
            longitude=request.POST.get("longitude") or None,
            accuracy=request.POST.get("accuracy") or None,
        )
    except ValidationError as e:
        error, status = " ".join(e.messages), 422
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Photo added."))
        return _back_to_item(inspection, item)
    context = {
        "inspection": inspection,
        "item": item,
        "photos": _strip_photos(inspection, item),
        "editable": _editable(request, inspection),
        "photo_error": error,
    }
    return render(request, "inspections/_item_photos.html", context, status=status)


def _strip_photos(inspection: Inspection, item: Item | None):
    if item is None:  # the other photos: not tied to an item, nor to a finding (those show with it)
        return inspection.photos.filter(item__isnull=True, findings__isnull=True)
    return inspection.photos.filter(item=item)


def _photo_response(request, pk: int, photo_pk: int, *, thumb: bool):
    inspection = _inspection(request, pk)
    photo = get_visible_or_404(request.user, Photo.objects.filter(inspection=inspection), pk=photo_pk)
    try:
        handle = photos.photo_path(photo.thumbnail if thumb else photo.file).open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    suffix = "-thumb" if thumb else ""
    response = FileResponse(
        handle,
        content_type="image/jpeg",
        filename=f"inspection-{inspection.pk}-photo-{photo.pk}{suffix}.jpg",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def photo_file(request, pk: int, photo_pk: int):
    return _photo_response(request, pk, photo_pk, thumb=False)


@login_required
@require_GET
def photo_thumb(request, pk: int, photo_pk: int):
    return _photo_response(request, pk, photo_pk, thumb=True)


def _findings_response(request, inspection: Inspection, *, values=None, errors=None, status: int = 200):
    if not request.htmx:
        if errors:
            messages.error(request, " ".join(m for ms in errors.values() for m in ms))
        return _back_to_item(inspection, None)
    findings = list(
        Finding.objects.filter(inspection=inspection, item__isnull=True).prefetch_related("photos")
    )
    errors = dict(errors or {})
    if "__all__" in errors:
        errors["general"] = errors.pop("__all__")
    context = {
        "inspection": inspection,
        "free_findings": findings,
        "severities": Severity.choices,
        "finding_values": values or {},
        "finding_errors": errors,
        "editable": _editable(request, inspection),
        "photo_accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,image/*",
    }
    return render(request, "inspections/_conduct_findings.html", context, status=status)


@login_required
@require_POST
def finding_add(request, pk: int):
    inspection = _conducting(request, pk)
    values = {name: request.POST.get(name, "") for name in ("severity", "text", "location")}
    uploads = request.FILES.getlist("photos")
    try:
        if len(uploads) > 10:
            raise ValidationError({"photos": _("Attach at most 10 photos to one finding.")})
        # All or nothing: a refused photo leaves no finding, a refused finding no photos nor their files.
        with atomic_with_files():
            added = [
                photos.photo_add(actor=request.user, inspection=inspection, data=_photo_data(u))
                for u in uploads
            ]
            services.finding_add(actor=request.user, inspection=inspection, photos=added, **values)
    except ValidationError as error:
        errors = error.message_dict
        if "photo" in errors:
            errors["photos"] = errors.pop("photo")
        return _findings_response(request, inspection, values=values, errors=errors, status=422)
    except InvalidTransition as error:
        return _findings_response(
            request, inspection, values=values, errors={"__all__": [str(error)]}, status=409
        )
    if not request.htmx:
        messages.success(request, _("Finding added."))
    return _findings_response(request, inspection)


@login_required
@require_POST
def finding_delete(request, pk: int, finding_pk: int):
    inspection = _conducting(request, pk)
    finding = get_visible_or_404(request.user, Finding.objects.filter(inspection=inspection), pk=finding_pk)
    try:
        services.finding_delete(actor=request.user, finding=finding)
    except InvalidTransition as error:
        return _findings_response(request, inspection, errors={"__all__": [str(error)]}, status=409)
    return _findings_response(request, inspection)


@login_required
@require_POST
def submit(request, pk: int):
    inspection = _conducting(request, pk)
    try:
        services.inspection_submit(actor=request.user, inspection=inspection)
    except ValidationError as error:
        return _conduct_page(request, inspection, status=422, step=FINISH, submit_errors=error.messages)
    except InvalidTransition as error:
        messages.warning(request, str(error))
        return redirect("inspections:conduct", pk=inspection.pk)
    messages.success(request, _("The results are submitted for approval by the district chief."))
    return redirect("inspections:inspection_detail", pk=inspection.pk)
