from django import forms
from django.utils.translation import gettext_lazy as _

from guatu.web.forms import MonthField

FORMAT_CHOICES = [
    ("docx", _("Word (.docx, official-document layout)")),
    ("xlsx", _("Excel (.xlsx, the tables)")),
    ("pdf", _("PDF (the Word document converted)")),
]


class BulletinForm(forms.Form):
    # The unit's id, checked by the gateway in the view (another county's unit is a 404, not a form error).
    unit = forms.IntegerField(label=_("Unit"), widget=forms.Select)
    period = MonthField(
        label=_("Month"),
    )
    quarterly = forms.BooleanField(
        label=_("Quarterly bulletin (the quarter of the month: first quarter, first half…)"), required=False
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="docx")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        top = min((unit.depth for unit in units), default=0)
        self.fields["unit"].widget.choices = [
            (unit.pk, "\u3000" * (unit.depth - top) + unit.name) for unit in units
        ]

