"""The review page's forms: each posts the version of the entry it was drawn on (portal.locking)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import AssignmentPin
from needs.models import Need


class EntryForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class RemoveForm(EntryForm):
    reason = forms.CharField(label=_("Reason for removal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class MoveForm(EntryForm):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


class StatusForm(EntryForm):
    status = forms.CharField(max_length=12)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    comment = forms.CharField(
        label=_("Expert's answer (when given another way)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    deployed_from = forms.DateField(
        label=_("Deployed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deployed_until = forms.DateField(
        label=_("Deployed until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AddForm(forms.Form):
    expert = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class PinForm(forms.Form):
    expert = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Pin"), choices=AssignmentPin.Kind.choices)
    reason = forms.CharField(
        label=_("Reason (required to never propose)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The version of the pin the page showed; 0 when it showed none.
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    available = forms.TypedChoiceField(
        label=_("Your answer"),
        choices=[("yes", _("I am available")), ("no", _("I am not available"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional): dates, conditions, or why not"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RecordOpenForm(forms.Form):
    need = forms.ModelChoiceField(label=_("Need"), queryset=Need.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Or another reason"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, needs: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs if needs is not None else Need.objects.none()
