"""The act of results (акт проверки): an approved inspection as a printable PDF, in Russian or Kazakh.

The act is rendered from a Django template by WeasyPrint. Everything it shows is read here in a fixed
number of queries; the caller has already fetched the inspection through the scoping layer. Orders will
reuse the print layout (`documents/base_document.html` and `qorgau/print.css`).
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from qorgau.checklists.answers import evaluate
from qorgau.checklists.models import Item, Section, Severity
from qorgau.inspections.models import Answer, Finding, Inspection, InspectionEvent, Photo
from qorgau.inspections.photos import photo_path

# The languages official documents are issued in.
DOCUMENT_LANGUAGES = ("ru", "kk")
PRINT_CSS = "qorgau/print.css"


@dataclass
class ActPhoto:
    photo: Photo
    src: str  # file:// URL of the stored thumbnail


@dataclass
class ActRow:
    """One checklist item in the results table."""

    item: Item
    answer: Answer | None
    summary: str


@dataclass
class ActSection:
    section: Section
    rows: list[ActRow]


@dataclass
class ActFinding:
    number: int
    finding: Finding
    photos: list[ActPhoto]


@dataclass
class Act:
    inspection: Inspection
    co_inspectors: list
    sections: list[ActSection]
    findings: list[ActFinding]
    other_photos: list[ActPhoto]
    events: list[InspectionEvent]
    results: Counter = field(default_factory=Counter)
    severities: list[tuple[str, str, int]] = field(default_factory=list)  # (code, label, count)

    @property
    def checked(self) -> int:
        return sum(self.results.values())

    @property
    def violations(self) -> int:
        return sum(count for _code, _label, count in self.severities)


def _summary(item: Item, answer: Answer) -> str:
    """The answer in the document's language. The stored summary is in the language of whoever saved it,
    so it is evaluated again (on the day it was saved); the stored one is kept if that is not possible."""
    try:
        evaluation = evaluate(item, answer.value, on_date=timezone.localdate(answer.updated_at))
    except ValidationError:
        return answer.summary
    return evaluation.summary or answer.summary


def _thumbnail(photo: Photo) -> ActPhoto:
    try:
        src = photo_path(photo.thumbnail).as_uri()
    except ValueError:
        src = ""  # a path outside the media root is never embedded
    return ActPhoto(photo, src)


def act_data(*, inspection: Inspection) -> Act:
    """Everything the act shows. Call it inside `translation.override` for the document's language:
    answer summaries are worded in the active language."""
    inspection = Inspection.objects.select_related(
        "school", "district", "campaign", "template_version__template", "inspector", "approved_by"
    ).get(pk=inspection.pk)
    co_inspectors = list(inspection.co_inspectors.order_by("last_name", "first_name", "id"))
    tier = inspection.school.size_tier
    sections = list(Section.objects.filter(version_id=inspection.template_version_id).order_by("order", "id"))
    items = [
        item
        for item in Item.objects.filter(version_id=inspection.template_version_id).order_by("order", "id")
        if item.applies_to(tier)
    ]
    answers = {a.item_id: a for a in Answer.objects.filter(inspection=inspection)}
    by_section: dict[int, list[ActRow]] = {}
    results: Counter = Counter()
    for item in items:
        answer = answers.get(item.pk)
        summary = _summary(item, answer) if answer is not None else ""
        if answer is not None and answer.result:
            results[answer.result] += 1
        by_section.setdefault(item.section_id, []).append(ActRow(item, answer, summary))
    act_sections = [ActSection(s, by_section[s.pk]) for s in sections if s.pk in by_section]

    # Findings in checklist order, then the inspector's own ones in the order they were added.
    findings = list(
        Finding.objects.filter(inspection=inspection)
        .select_related("item__section")
        .prefetch_related("photos")
        .order_by("item__section__order", "item__order", "id")
    )
    findings.sort(key=lambda f: f.item_id is None)
    shown: set[int] = set()
    act_findings = []
    for number, finding in enumerate(findings, start=1):
        photos = sorted(finding.photos.all(), key=lambda p: (p.uploaded_at, p.pk))
        shown.update(p.pk for p in photos)
        act_findings.append(ActFinding(number, finding, [_thumbnail(p) for p in photos]))
    other_photos = [
        _thumbnail(p)
        for p in Photo.objects.filter(inspection=inspection)
        .select_related("item")
        .order_by("uploaded_at", "id")
        if p.pk not in shown
    ]
    by_severity = Counter(f.severity for f in findings)
    severities = [(code, str(label), by_severity[code]) for code, label in Severity.choices]
    events = list(inspection.events.select_related("actor").order_by("at", "id"))
    return Act(
        inspection=inspection,
        co_inspectors=co_inspectors,
        sections=act_sections,
        findings=act_findings,
        other_photos=other_photos,
        events=events,
        results=results,
        severities=severities,
    )


def act_html(*, inspection: Inspection, lang: str) -> str:
    if lang not in DOCUMENT_LANGUAGES:
        raise ValueError(f"documents are issued in {', '.join(DOCUMENT_LANGUAGES)}, not {lang!r}")
    with translation.override(lang):
        act = act_data(inspection=inspection)
        return render_to_string("documents/act.html", {"act": act, "lang": lang})


class _LocalFiles(URLFetcher):
    """Lets the renderer read only the stored photos and the print stylesheet: no network, no other file,
    whatever a document's text might contain."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file"})
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url, headers=None):
        path = Path(url2pathname(urlsplit(url).path)).resolve()
        if not any(root in path.parents for root in self.roots):
            raise ValueError("only stored photos and the print stylesheet are embedded in documents")
        return super().fetch(url, headers)


@functools.cache
def _print_css_path() -> Path:
    found = finders.find(PRINT_CSS)
    if not found:
        raise FileNotFoundError(PRINT_CSS)
    return Path(found)


def render_pdf(html: str) -> bytes:
    """A document's HTML as PDF bytes, with the shared print stylesheet."""
    css_path = _print_css_path()
    fetcher = _LocalFiles([Path(settings.MEDIA_ROOT), css_path.parent])
    stylesheet = CSS(filename=str(css_path), url_fetcher=fetcher)
    document = HTML(string=html, base_url=css_path.parent.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet])


def act_pdf(*, inspection: Inspection, lang: str) -> bytes:
    """The act of an approved inspection as PDF bytes, labels and texts in `lang` ("ru" or "kk")."""
    return render_pdf(act_html(inspection=inspection, lang=lang))


def act_filename(inspection: Inspection, lang: str) -> str:
    # Only safe characters in a header value: the number is ASCII already, this keeps it so.
    number = "".join(c for c in inspection.act_number if c.isascii() and (c.isalnum() or c == "-"))
    return f"act-{number or inspection.pk}-{lang}.pdf"
