"""Reads of checklist templates. Every selector takes the user and starts from the scoping layer.

Sections and items have no scope of their own: they are reached through their version, which is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from qorgau.accounts.scoping import visible
from qorgau.checklists.models import ChecklistTemplate, Item, Section, TemplateVersion


def version_list(*, user) -> QuerySet[TemplateVersion]:
    """Versions newest first, each with its number of items."""
    return (
        visible(user, TemplateVersion)
        .select_related("template", "published_by", "created_by", "based_on")
        .annotate(item_count=Count("items"))
        .order_by("template__code", "-number")
    )


def template_list(*, user) -> QuerySet[ChecklistTemplate]:
    """Templates with their versions (`template.versions.all()`, newest first) in two queries, and the id
    of the template's draft, if it has one (`draft_id`)."""
    drafts = TemplateVersion.objects.filter(template=OuterRef("pk"), status=TemplateVersion.Status.DRAFT)
    return (
        visible(user, ChecklistTemplate)
        .annotate(draft_id=Subquery(drafts.values("pk")[:1]))
        .prefetch_related(Prefetch("versions", queryset=version_list(user=user)))
    )


def section_list(*, version: TemplateVersion) -> list[Section]:
    """The version's sections in order, each with its items in order (`section.items.all()`)."""
    items = Item.objects.filter(version=version).order_by("order", "id")
    return list(
        Section.objects.filter(version=version)
        .order_by("order", "id")
        .prefetch_related(Prefetch("items", queryset=items))
    )


@dataclass
class VersionDetail:
    version: TemplateVersion
    sections: list[Section]
    versions: list[TemplateVersion]  # every version of the template, newest first, for switching

    @property
    def item_count(self) -> int:
        return sum(len(s.items.all()) for s in self.sections)

    @property
    def draft(self) -> TemplateVersion | None:
        return next((v for v in self.versions if v.is_draft), None)


def version_detail(*, user, version: TemplateVersion) -> VersionDetail:
    """A version (already fetched through the scoping layer) with its sections, items and sibling versions."""
    siblings = version_list(user=user).filter(template_id=version.template_id)
    return VersionDetail(version=version, sections=section_list(version=version), versions=list(siblings))
