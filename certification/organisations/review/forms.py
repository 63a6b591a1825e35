"""Forms of the organisation oversight pages. They only parse input; the services decide."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.core.forms import FilterForm, confirmation_field, text_field
from certification.organisations.models import Organisation
from certification.organisations.services import STATUS_TRANSITIONS

# How each move reads on its button; which moves exist is the service's to say.
STATUS_ACTIONS = {
    Organisation.Status.SUSPENDED: _("Suspend"),
    Organisation.Status.ARCHIVED: _("Archive"),
    Organisation.Status.CERTIFIED: _("Reinstate"),
}


class OrganisationFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("Any status")),
            *((status.value, status.label) for status in Organisation.Status.overseen()),
        ]


class OrganisationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    reason = text_field(
        _("Reason"), help_text=_("The organisation's owners receive the reason by email.")
    )
    confirm = confirmation_field(_("Change the organisation's status now."))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (status, STATUS_ACTIONS[Organisation.Status(status)])
            for status in STATUS_TRANSITIONS.get(organisation.status, [])
        ]
