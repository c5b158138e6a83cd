from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guatu.projects.models import LevelTag
from guatu.web.forms import BoundedModelMultipleChoiceField, MonthField


class _Options(forms.Form):
    period = MonthField(
        label=gettext_lazy("Month"),
        required=False,
        help_text=gettext_lazy("Leave empty to take it from the table's title or 填报时间."),
    )
    tags = BoundedModelMultipleChoiceField(
        label=gettext_lazy("Put every project on these lists"),
        queryset=LevelTag.objects.order_by("sort_order", "id"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ProjectsUploadForm(_Options):
    file = forms.FileField(label=gettext_lazy("Dispatch table (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if len(upload.name or "") > 255:
            raise forms.ValidationError(_("The file name is too long: at most 255 characters."))
        if upload.size > settings.GUATU_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("%(name)s is too large: at most %(mb)s MB.")
                % {"name": upload.name, "mb": settings.GUATU_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ProjectsConfirmForm(_Options):
    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
