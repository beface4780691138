from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import AssignmentRun, MatchingPolicy


class AssignmentRunStartForm(forms.Form):
    policy = forms.ModelChoiceField(
        label=_("Matching policy"), queryset=MatchingPolicy.objects.order_by("-active", "name"), empty_label=None
    )
    scope = forms.ChoiceField(
        label=_("Needs"),
        choices=AssignmentRun.Scope.choices,
        initial=AssignmentRun.Scope.OPEN,
        widget=forms.RadioSelect,
    )


class AssignmentRunAcceptForm(forms.Form):
    """Which needs' proposals to accept: the one whose own button was pressed, the ticked ones, or all."""

    only = forms.IntegerField(required=False, widget=forms.HiddenInput)
    needs = forms.TypedMultipleChoiceField(required=False, coerce=int)
    everything = forms.BooleanField(required=False)

    def __init__(self, *args, need_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = [(pk, pk) for pk in need_ids]

    def chosen(self) -> list[int] | None:
        """The needs chosen, or None for every need of the run."""
        data = self.cleaned_data
        if data.get("only") is not None:
            return [data["only"]]
        if data.get("everything"):
            return None
        return data.get("needs") or []
