"""Forms for issuing, revoking and re-issuing certificates.

They parse and check what was posted; the services decide whether the step is allowed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certification.certificates.codes import normalise
from certification.certificates.models import Certificate
from certification.training.models import Attendee

KIND_CHOICES = Certificate.Kind.choices


@dataclass(frozen=True)
class AttendeeRow:
    """One line of the issuing table: an attendee, and their fields unless already certified."""

    attendee: Attendee
    certificate_code: str
    chosen: forms.BoundField | None
    kind: forms.BoundField | None


class IssueSelectionForm(forms.Form):
    """Which attendees of a course get a certificate, and of which kind.

    Each attendee without a valid certificate has a checkbox `issue-<id>` and a choice
    `kind-<id>`; `kind_for_all` overrides the kind of everyone chosen, so that a course
    where everyone completed needs no per-row changes, and it works without JavaScript.
    Attendees who already hold a valid certificate have no fields; choosing one anyway
    (a stale page, a second tab) is an error rather than silently left out.
    """

    kind_for_all = forms.ChoiceField(
        label=_("Kind for everyone chosen"),
        choices=[("", _("As chosen for each attendee")), *KIND_CHOICES],
        required=False,
    )
    # The number the person confirmed: if the course changed meanwhile, they look again.
    expected = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        attendees: Sequence[Attendee],
        certified: dict[int, str],
        choose_all: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.attendees = list(attendees)
        self.certified = certified
        for attendee in self.attendees:
            if attendee.pk in certified:
                continue
            key = attendee.public_id.hex
            self.fields[f"issue-{key}"] = forms.BooleanField(
                label=attendee.name, required=False, initial=choose_all
            )
            self.fields[f"kind-{key}"] = forms.ChoiceField(
                label=_("Kind of certificate for %(name)s") % {"name": attendee.name},
                choices=KIND_CHOICES,
                initial=Certificate.Kind.COMPLETION,
                required=False,
            )

    @property
    def rows(self) -> list[AttendeeRow]:
        rows = []
        for attendee in self.attendees:
            key = attendee.public_id.hex
            if attendee.pk in self.certified:
                rows.append(AttendeeRow(attendee, self.certified[attendee.pk], None, None))
            else:
                rows.append(AttendeeRow(attendee, "", self[f"issue-{key}"], self[f"kind-{key}"]))
        return rows

    @property
    def eligible_count(self) -> int:
        return len(self.attendees) - len(self.certified)

    def _posted_as_chosen(self, attendee: Attendee) -> bool:
        value = self.data.get(f"issue-{attendee.public_id.hex}")
        return value not in (None, "", "false", "off", "0")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        already = [
            attendee.name
            for attendee in self.attendees
            if attendee.pk in self.certified and self._posted_as_chosen(attendee)
        ]
        if already:
            raise forms.ValidationError(
                gettext("These attendees already have a certificate for this course: %(names)s.")
                % {"names": ", ".join(sorted(already))},
                code="already_certified",
            )
        selections = []
        for attendee in self.attendees:
            key = attendee.public_id.hex
            if attendee.pk in self.certified or not cleaned.get(f"issue-{key}"):
                continue
            kind = cleaned.get("kind_for_all") or cleaned.get(f"kind-{key}")
            if not kind:
                self.add_error(
                    f"kind-{key}",
                    gettext("Choose completion or attendance for %(name)s.")
                    % {"name": attendee.name},
                )
                continue
            selections.append((attendee, kind))
        if not selections and not self.errors:
            raise forms.ValidationError(gettext("Choose at least one attendee."), code="empty")
        expected = cleaned.get("expected")
        if expected is not None and expected != len(selections) and not self.errors:
            raise forms.ValidationError(
                gettext("The list of attendees has changed. Check the selection again."),
                code="changed",
            )
        cleaned["selections"] = selections
        return cleaned

    @property
    def selections(self) -> list[tuple[Attendee, str]]:
        selections: list[tuple[Attendee, str]] = self.cleaned_data["selections"]
        return selections

    def hidden_values(self) -> list[tuple[str, str]]:
        """The checked selection as name/value pairs, carried by the confirmation page."""
        values = [("expected", str(len(self.selections)))]
        for attendee, kind in self.selections:
            key = attendee.public_id.hex
            values += [(f"issue-{key}", "on"), (f"kind-{key}", kind)]
        return values


def count_by_kind(selections: Iterable[tuple[Attendee, str]]) -> list[tuple[str, int]]:
    """How many of each kind, with the kind's label, for the confirmation page."""
    counts: dict[str, int] = {}
    for _attendee, kind in selections:
        counts[kind] = counts.get(kind, 0) + 1
    return [(str(label), counts[value]) for value, label in KIND_CHOICES if value in counts]


class PreviewForm(forms.Form):
    """The preview link: which attendee's name to print, on which kind of certificate."""

    attendee = forms.UUIDField()
    kind = forms.ChoiceField(choices=KIND_CHOICES)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the revocation"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown on the certificate's public verification page. For example: issued to "
            "the wrong person, or the attendee did not take part."
        ),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(gettext("Give the reason for the revocation."))
        return reason


class ReissueForm(forms.Form):
    name = forms.CharField(
        label=_("Name as it should be printed"),
        max_length=200,
        help_text=_("The attendee's name exactly as it is to appear on the new certificate."),
    )

    def __init__(self, *args: Any, current_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_name = current_name
        self.fields["name"].initial = current_name

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(gettext("Give the name as it should be printed."))
        if name == self.current_name:
            raise forms.ValidationError(
                gettext("The name is the same as on the certificate."), code="unchanged"
            )
        return name


class CertificateLookupForm(forms.Form):
    """The certification team finds a certificate by its code, typed in any reasonable way."""

    code = forms.CharField(
        label=_("Certificate code"),
        max_length=60,
        help_text=_("For example QGIS-7K3M-9QX2-HT4R-5W. Case, spaces and dashes do not matter."),
    )

    def clean_code(self) -> str:
        code = normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                gettext("This is not a certificate code: check it for typing mistakes."),
                code="invalid",
            )
        return code
