"""Page forms for checklist versions. They only shape input; `services` validates and writes."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from qorgau.checklists.models import Item, TemplateVersion
from qorgau.checklists.services import ITEM_FIELDS
from qorgau.registry.forms import ServiceForm
from qorgau.registry.models import SizeTier

TEXT_FIELDS = ("text_ru", "text_kk", "text_en", "remedy_ru", "remedy_kk")

# The item form in parts, as an inspector reads an item: where it sits, what it asks, how it is judged,
# what the school must do when it fails.
GROUPS = (
    ("place", _("Place"), ("section", "code", "order")),
    ("requirement", _("Requirement"), ("text_ru", "text_kk", "text_en", "legal_ref")),
    (
        "assessment",
        _("Assessment"),
        ("severity", "answer_kind", "threshold", "max_age_days", "tiers", "prefill"),
    ),
    ("remedy", _("Remedy"), ("remedy_ru", "remedy_kk", "fix_kind")),
)


class ItemForm(ServiceForm):
    model = Item
    field_names = ITEM_FIELDS

    def __init__(self, *args, version: TemplateVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = version.sections.order_by("order", "id")
        self.fields["section"].empty_label = None
        self.fields["section"].label = _("Section")
        # Left empty, a new item goes to the end of its section.
        self.fields["order"].required = False
        self.fields["order"].help_text = _("Empty: last in its section.")
        self.fields["threshold"].help_text = _(
            "Number: the least value that passes. Staff interview: the share of correct answers, in percent. "
            "Panic button test: the longest acceptable crew arrival, in seconds."
        )
        self.fields["max_age_days"].help_text = _("Date answers: the oldest date that still passes, in days.")
        for name in TEXT_FIELDS:
            self.fields[name].widget = forms.Textarea(attrs={"rows": 3})
        # Ticking tiers is easier on a phone than typing "T1,T2,T3"; the service still gets the text.
        self.fields["tiers"] = forms.MultipleChoiceField(
            label=capfirst(Item._meta.get_field("tiers").verbose_name),
            choices=SizeTier.choices,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "tier-choice"}),
            error_messages={"required": _("Give one or more of T1, T2, T3.")},
        )
        tiers = self.initial.get("tiers") or ",".join(SizeTier.values)
        self.initial["tiers"] = [t.strip() for t in str(tiers).split(",") if t.strip()]

    def groups(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        return [(key, legend, [self[name] for name in names]) for key, legend, names in GROUPS]

    def clean_tiers(self) -> str:
        chosen = set(self.cleaned_data["tiers"])
        return ",".join(t for t in SizeTier.values if t in chosen)


class PublishForm(forms.Form):
    apply_errors = ServiceForm.apply_errors

    notes = forms.CharField(
        label=_("What changed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Shown with the version, so inspectors know what is new."),
        error_messages={"required": _("Say what changed in this version.")},
    )
