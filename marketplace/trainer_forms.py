"""Forms of the trainer's own pages. They parse and check input; the services write."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Category, Offering, TrainerProfile
from .validators import selectable_time_zone_names

# ISO 639-1 codes a trainer can pick; a code already on a profile stays selectable.
LANGUAGE_CHOICES = [
    ("sv", _("Swedish")),
    ("en", _("English")),
    ("fi", _("Finnish")),
    ("no", _("Norwegian")),
    ("da", _("Danish")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("pl", _("Polish")),
    ("pt", _("Portuguese")),
    ("ar", _("Arabic")),
    ("fa", _("Persian")),
    ("so", _("Somali")),
    ("tr", _("Turkish")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("zh", _("Chinese")),
]
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)


def language_name(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code))


def time_zone_choices(current: str = "") -> list[tuple[str, str]]:
    """The current canonical zones (``selectable_time_zone_names``), ``current`` first: the
    trainer's own zone heads the list, and stays selectable even when it is an older alias."""
    zones = [zone for zone in selectable_time_zone_names() if zone != current]
    if current:
        zones.insert(0, current)
    return [(zone, zone.replace("_", " ")) for zone in zones]


def ore_from_kronor(kronor: Decimal) -> int:
    """450 -> 45000, 99.5 -> 9950: exact, as the field allows at most two decimals."""
    return int((kronor * 100).to_integral_value(rounding=ROUND_HALF_UP))


def kronor_from_ore(amount: int) -> str:
    """45000 -> "450", 9950 -> "99.50": what the price field shows when editing."""
    whole, ore = divmod(amount, 100)
    return str(whole) if ore == 0 else f"{whole}.{ore:02d}"


class TrainerProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=120,
        help_text=_("Shown on the map and on your public page."),
    )
    bio = forms.CharField(
        label=_("About you"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Your background, how you train and who you like to train with."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("What you train"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you coach in"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    address = forms.CharField(
        label=_("Address or meeting place"),
        max_length=200,
        required=False,
        help_text=_("Shown on your public page. The map pin below is what the search uses."),
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Your schedule is kept in this time zone."),
    )

    def __init__(self, *args, profile: TrainerProfile | None = None, **kwargs):
        if profile is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "display_name": profile.display_name,
                "bio": profile.bio,
                "categories": list(profile.categories.all()),
                "languages": list(profile.languages or []),
                "city": profile.city,
                "address": profile.address,
                "latitude": profile.latitude,
                "longitude": profile.longitude,
                "time_zone": profile.time_zone,
            }
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        current = profile.time_zone if profile is not None else ""
        self.fields["time_zone"].choices = time_zone_choices(current)
        known = set(LANGUAGE_NAMES)
        extra = [code for code in (profile.languages if profile else []) if code not in known]
        if extra:
            self.fields["languages"].choices = LANGUAGE_CHOICES + [(c, c) for c in extra]

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (
            "latitude" in cleaned
            and "longitude" in cleaned
            and (latitude is None) != (longitude is None)
        ):
            raise ValidationError(
                _("Set both latitude and longitude, or neither: click the map to set them."),
                code="partial_location",
            )
        return cleaned


class OfferingForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Personal training, 60 min")}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=15,
        max_value=480,
        initial=60,
        widget=forms.NumberInput(attrs={"step": 5}),
    )
    price = forms.DecimalField(
        label=_("Price (kr)"),
        min_value=Decimal("0"),
        max_value=Decimal("1000000"),
        max_digits=9,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Per person and session, VAT included."),
    )
    capacity = forms.IntegerField(
        label=_("Participants"),
        min_value=1,
        max_value=1000,
        initial=1,
        help_text=_("1 for personal training, more for a group session."),
    )
    location_name = forms.CharField(
        label=_("Where (optional)"),
        max_length=200,
        required=False,
        help_text=_("A gym, a park or an address when it differs from your profile's."),
    )
    is_public_place = forms.BooleanField(
        label=_("It is a public place (a gym, a park): show it to everyone"),
        required=False,
        help_text=_("Otherwise only trainees who booked see where; your page shows the area only."),
    )
    is_active = forms.BooleanField(
        label=_("Bookable (shown on your page)"), required=False, initial=True
    )

    service_field_aliases = {"price_amount": "price"}

    def __init__(self, *args, offering: Offering | None = None, **kwargs):
        if offering is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": offering.title,
                "description": offering.description,
                "duration_minutes": offering.duration_minutes,
                "price": kronor_from_ore(offering.price_amount),
                "capacity": offering.capacity,
                "location_name": offering.location_name,
                "is_public_place": offering.is_public_place,
                "is_active": offering.is_active,
            }
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def service_fields(self) -> dict:
        """cleaned_data as the offering services take it: the price in öre."""
        fields = dict(self.cleaned_data)
        fields["price_amount"] = ore_from_kronor(fields.pop("price"))
        return fields
