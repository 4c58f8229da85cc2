"""Checklist templates, read-only: every signed-in caller may read what police check at a school.

Changes are made on the pages (a draft, then publishing), which keep the history of who changed what.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import ModelSchema, Router, Schema

from qorgau.accounts.scoping import get_visible_or_404
from qorgau.checklists import selectors
from qorgau.checklists.models import ChecklistTemplate, Item, Section, TemplateVersion
from qorgau.core.api_schema import choice

router = Router(tags=["checklists"])


class VersionSummaryOut(Schema):
    id: int
    number: int
    status: choice(TemplateVersion.Status)
    notes: str
    based_on_id: int | None
    created_at: datetime
    published_at: datetime | None
    published_by: str | None
    item_count: int

    @staticmethod
    def resolve_published_by(obj: TemplateVersion) -> str | None:
        return obj.published_by.display_name if obj.published_by else None


class TemplateOut(ModelSchema):
    name: str
    versions: list[VersionSummaryOut]

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "code", "name_ru", "name_kk", "name_en"]

    @staticmethod
    def resolve_versions(obj: ChecklistTemplate) -> list[TemplateVersion]:
        return list(obj.versions.all())


class ChecklistItemOut(ModelSchema):
    threshold: float | None
    tier_list: list[str]

    class Meta:
        model = Item
        fields = [
            "id", "code", "order", "text_ru", "text_kk", "text_en", "legal_ref", "severity", "answer_kind",
            "max_age_days", "tiers", "prefill", "remedy_ru", "remedy_kk", "fix_kind",
        ]  # fmt: skip


class SectionOut(ModelSchema):
    items: list[ChecklistItemOut]

    class Meta:
        model = Section
        fields = ["id", "code", "order", "title_ru", "title_kk", "title_en"]

    @staticmethod
    def resolve_items(obj: Section) -> list[Item]:
        return list(obj.items.all())


class TemplateBriefOut(ModelSchema):
    class Meta:
        model = ChecklistTemplate
        fields = ["id", "code", "name_ru", "name_kk", "name_en"]


class VersionOut(VersionSummaryOut):
    template: TemplateBriefOut
    sections: list[SectionOut]

    @staticmethod
    def resolve_sections(obj: TemplateVersion) -> list[Section]:
        return selectors.section_list(version=obj)


@router.get("", response=list[TemplateOut])
def template_list(request: HttpRequest):
    """Every checklist template with its versions, newest first."""
    return selectors.template_list(user=request.user)


@router.get("/versions/{version_id}", response=VersionOut)
def version_get(request: HttpRequest, version_id: int):
    """One version with its sections and items in order: what an inspection of this version asks."""
    return get_visible_or_404(request.user, selectors.version_list(user=request.user), pk=version_id)
