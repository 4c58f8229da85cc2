"""Page forms for the police side of orders. They only shape input: the services validate and write, and
a service's ValidationError is put back onto the fields with `apply_errors`, so pages and API share every
rule."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.orders.models import Amendment, Order, OrderItem
from qorgau.orders.services import ITEM_FIELDS, ORDER_FIELDS
from qorgau.registry.forms import DateInput, ServiceForm


class ActionForm(forms.Form):
    """A form for one action on an order; `apply_errors` maps the service's errors onto its fields."""

    # Service error keys that are named differently on the form.
    error_aliases: dict[str, str] = {}

    def apply_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                name = self.error_aliases.get(name, name)
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class OrderForm(ServiceForm):
    model = Order
    field_names = ORDER_FIELDS


class OrderItemForm(ServiceForm):
    model = OrderItem
    field_names = ITEM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["found"].widget = _textarea()
        self.fields["remedy"].widget = _textarea()


class DraftForm(ActionForm):
    language = forms.ChoiceField(
        label=_("Language of the document"), choices=Order._meta.get_field("language").choices
    )


class IssueForm(ActionForm):
    """Nothing to fill in: the chief's signature is the POST itself. Errors of the order land here."""


class DeliveryForm(ActionForm):
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (Order.Delivery.PAPER, _("Receipt signed on paper")),
            (Order.Delivery.REFUSED, _("Receipt refused")),
        ],
        widget=forms.RadioSelect,
    )
    received_by_name = forms.CharField(
        label=_("Received by (name, position)"), max_length=200, required=False,
        help_text=_("As written on the signed receipt."),
    )  # fmt: skip
    delivered_on = forms.DateField(label=_("Date"), widget=DateInput(), required=False)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=_textarea(2),
        help_text=_("For a refusal: who refused, in whose presence."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"delivered_on": timezone.localdate(), "kind": Order.Delivery.PAPER})
        super().__init__(*args, **kwargs)


class FollowUpForm(ActionForm):
    planned_on = forms.DateField(label=_("Date of the follow-up inspection"), widget=DateInput())


class AmendForm(ActionForm):
    kind = forms.ChoiceField(
        label=_("Amendment"),
        choices=[
            (Amendment.Kind.EXTEND, _("Extend the deadline")),
            (Amendment.Kind.WITHDRAW, _("Withdraw the item")),
        ],
        widget=forms.RadioSelect,
    )
    new_deadline = forms.DateField(
        label=_("New deadline"), widget=DateInput(), required=False, help_text=_("Only to extend.")
    )
    reason = forms.CharField(label=_("Reason"), widget=_textarea())


class VerifyForm(ActionForm):
    result = forms.ChoiceField(
        label=_("Result of the check on site"),
        choices=[("done", _("Done: the violation is remedied")), ("not_done", _("Not done"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("How it was verified"), widget=_textarea(),
        help_text=_("E.g. “checked at the follow-up inspection, the turnstile works”."),
    )  # fmt: skip


class DecideForm(ActionForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=_textarea(), required=False,
        help_text=_("Required to reject: the school sees it."),
    )  # fmt: skip


class ReferForm(ActionForm):
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=_textarea(2),
        help_text=_("E.g. to whom the materials were sent, the case number."),
    )  # fmt: skip


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("School"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Order.Status.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue items only"), required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"q": data["q"].strip(), "status": data["status"], "overdue_only": data["overdue"]}
