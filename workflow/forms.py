"""Forms of the workflow pages. They check the shape of what was typed; the services decide
everything else, and their refusals are put next to the field they are about
(`add_service_error`)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib.text import TEXT_MAX

from .errors import FIELD_FOR_CODE
from .models import Ballot, Opinion, ProposalKind, ProposalState, RotationOutcome
from .services import MAX_DURATION_MONTHS
from .transitions import BY_NAME

DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


def text_field(label, *, rows, **kwargs) -> forms.CharField:
    """Free text in a text area, bounded like the model and the API."""
    widget = forms.Textarea(attrs={"rows": rows})
    return forms.CharField(label=label, max_length=TEXT_MAX, widget=widget, **kwargs)


def radio_field(label, choices, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, **kwargs)


class ServiceErrorsMixin:
    def add_service_error(self, error) -> None:
        """Show a workflow error next to its field when the form has that field."""
        name = FIELD_FOR_CODE.get(getattr(error, "code", ""))
        if name not in self.fields:
            name = None
        self.add_error(name, error.text())


class DayMonthYearInput(forms.DateInput):
    """A date typed as dd/mm/yyyy, the way every Vietnamese form writes it. Not type="date":
    a browser in English would show (and ask for) mm/dd/yyyy."""

    def __init__(self, attrs=None):
        attrs = {
            "placeholder": "dd/mm/yyyy",
            "inputmode": "numeric",
            "autocomplete": "off",
            "pattern": r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}",
            "size": 10,
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format="%d/%m/%Y")


class ProposalForm(ServiceErrorsMixin, forms.Form):
    """A new proposal (the official is chosen before) or the author's edit of one."""

    target_position = forms.TypedChoiceField(
        label=_("Target post"),
        coerce=int,
        help_text=_("Posts in the units the committee governs; vacant posts come first."),
    )
    kind = radio_field(_("Kind of move"), ProposalKind.choices)
    effective_date = forms.DateField(
        label=_("Effective date"),
        input_formats=DATE_INPUTS,
        widget=DayMonthYearInput(),
        help_text=_("Day/month/year, for example 01/06/2027."),
    )
    duration_months = forms.IntegerField(
        label=_("Duration (months)"),
        required=False,
        min_value=1,
        max_value=MAX_DURATION_MONTHS,
        help_text=_(
            "Required for a rotation (at least 36 months) and a secondment (at most 36 "
            "months); leave empty for an open-ended transfer."
        ),
    )
    rationale = text_field(
        _("Rationale"), rows=4, help_text=_("Why this official, why this post, now.")
    )
    higher_post_justification = text_field(
        _("Justification for a higher post"),
        rows=3,
        required=False,
        help_text=_("Needed only when the target post is higher than the current one."),
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        vacant = [(c.position.pk, _option_label(c)) for c in targets if c.vacant]
        held = [(c.position.pk, _option_label(c)) for c in targets if not c.vacant]
        choices = [("", _("— choose a post —"))]
        if vacant:
            choices.append((_("Vacant posts"), vacant))
        if held:
            choices.append((_("Posts held today"), held))
        self.fields["target_position"].choices = choices
        self.positions = {c.position.pk: c.position for c in targets}

    def clean(self):
        cleaned = super().clean()
        needs_duration = cleaned.get("kind") in (ProposalKind.ROTATION, ProposalKind.SECONDMENT)
        missing = not cleaned.get("duration_months") and "duration_months" not in self.errors
        if needs_duration and missing:
            self.add_error(
                "duration_months", _("A rotation or a secondment needs a duration in months.")
            )
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "target_position": self.positions[data["target_position"]],
            "effective_date": data["effective_date"],
            "duration_months": data.get("duration_months"),
            "rationale": data["rationale"],
            "higher_post_justification": data.get("higher_post_justification") or "",
        }


def _option_label(choice) -> str:
    if choice.vacant:
        return _("%(post)s — vacant") % {"post": choice.position.name}
    return choice.position.name


class ProposalFilterForm(forms.Form):
    """The list's filters; a value that is not one of the choices is reported, not obeyed."""

    q = forms.CharField(label=_("Official's name"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    term = forms.ChoiceField(label=_("Term"), required=False)

    def __init__(self, *args, units=(), terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", _("All states")),
            *ProposalState.choices,
            # The stages as the inbox groups them (its "see them all" links).
            ("draft,returned", _("Draft or returned")),
            ("submitted,in_review", _("Submitted or in review")),
        ]
        self.fields["kind"].choices = [("", _("All kinds")), *ProposalKind.choices]
        self.fields["unit"].choices = [("", _("All units"))] + [(str(u.pk), u.name) for u in units]
        self.fields["term"].choices = [("", _("All terms"))] + [
            (str(t.pk), f"{t.get_kind_display()} {t.name}") for t in terms
        ]


class OfficialSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Official's name"),
        required=False,
        max_length=100,
        help_text=_("Diacritics are optional: “tran minh” finds “Trần Minh Tuấn”."),
    )


class ActionForm(ServiceErrorsMixin, forms.Form):
    """The confirmation of one transition, with what that transition needs."""

    comment = text_field(_("Comment"), rows=4, required=False)

    def __init__(self, *args, action: str, signers=(), ask_casting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        comment = self.fields["comment"]
        if BY_NAME[action].comment_required:
            comment.required = True
            comment.label = _("Reason")
            comment.help_text = _("Required: it is kept in the history.")
        else:
            comment.help_text = _("Optional: it is kept in the history.")
        if action == "close_vote" and ask_casting:
            self.fields["casting"] = radio_field(
                _("Your casting decision"),
                [
                    ("approve", pgettext_lazy("casting", "Approve the proposal")),
                    ("disapprove", pgettext_lazy("casting", "Do not approve the proposal")),
                ],
                help_text=_(
                    "Approvals are exactly half of the incumbent members: as chair you decide, "
                    "and the record says so."
                ),
            )
        if action == "issue_decision":
            self.fields["signer"] = forms.TypedChoiceField(
                label=_("Signed by"),
                coerce=int,
                choices=list(signers),
                widget=forms.RadioSelect,
                help_text=_("The Secretary signs; a Standing Deputy Secretary may sign instead."),
            )
            if signers:
                self.fields["signer"].initial = signers[0][0]
        if action == "end_rotation":
            self.fields["outcome"] = radio_field(_("Outcome"), RotationOutcome.choices)

    def service_data(self) -> dict:
        data = {"comment": self.cleaned_data.get("comment", "")}
        for name in ("casting", "signer", "outcome"):
            if self.cleaned_data.get(name) not in (None, ""):
                data[name] = self.cleaned_data[name]
        return data


class OpinionForm(ServiceErrorsMixin, forms.Form):
    opinion = radio_field(_("Opinion"), Opinion.Choice.choices)
    comment = text_field(_("Remarks"), rows=3, help_text=_("What the appraisal found."))


class ExceptionForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    justification = text_field(
        _("Justification"),
        rows=3,
        help_text=_(
            "Why the competent authority makes an exception; it is shown to the committee."
        ),
    )


class BallotForm(ServiceErrorsMixin, forms.Form):
    choice = radio_field(_("Your ballot"), Ballot.Choice.choices)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
