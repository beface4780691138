from django import forms
from django.utils.translation import gettext_lazy as _

SCORE_CHOICES = [
    (1, _("1 – poor")),
    (2, _("2 – fair")),
    (3, _("3 – good")),
    (4, _("4 – very good")),
    (5, _("5 – excellent")),
]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Score"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Seen by the UNCAC secretariat only."),
    )
