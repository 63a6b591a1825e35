"""The form of a course type review. It only parses input; the service decides."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.core.forms import text_field


class CourseTypeReviewForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REJECT, _("Do not approve"))],
        widget=forms.RadioSelect,
    )
    comment = text_field(
        _("Comment"),
        required=False,
        help_text=_("Sent to the organisation. Required when the course type is not approved."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("outcome") == self.REJECT and not cleaned.get("comment"):
            self.add_error("comment", _("Say why the course type is not approved."))
        return cleaned
