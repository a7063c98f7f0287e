from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Folder


class UploadForm(forms.Form):
    """The HTML side of POST /api/uploads; the service does the real validation."""

    folder = forms.ChoiceField(choices=Folder.choices, widget=forms.HiddenInput)
    file = forms.FileField(label=_("File"))
