"""Template access to a user's public images: {% load uploads %}."""

from urllib.parse import urlencode

from django import template
from django.conf import settings

from storage import services, validation

register = template.Library()


@register.simple_tag
def profile_photo_url(user, thumbnail: bool = False) -> str:
    """{% profile_photo_url profile.user as photo %}: the URL, or "" when there is none."""
    return services.profile_photo_url(user, thumbnail=thumbnail) or ""


@register.inclusion_tag("storage/_gallery.html")
def gallery(user) -> dict:
    """{% gallery profile.user %}: the user's gallery as linked thumbnails."""
    return {"images": services.gallery_images(user)}


@register.inclusion_tag("storage/_upload_form.html", takes_context=True)
def upload_form(context, folder: str, action: str, next_url: str = "") -> dict:
    """{% upload_form "profile" upload_url request.path %}: a file field and a submit button.

    The form carries the size limit and its message for static/js/upload-limit.js, which
    refuses a file over it before the browser sends anything (a page using the form loads
    that script)."""
    accept = "image/jpeg,image/png,image/webp"
    if folder in ("certificate", "document"):
        accept += ",application/pdf"
    if next_url:
        # In the address, not the body: a file over the limit is refused unread (views.upload).
        action = f"{action}?{urlencode({'next': next_url})}"
    return {
        "csrf_token": context.get("csrf_token"),
        "folder": folder,
        "action": action,
        "accept": accept,
        "max_mb": round(settings.UPLOAD_MAX_BYTES / 1_048_576),
        "max_bytes": settings.UPLOAD_MAX_BYTES,
        "too_large": validation.too_large_message(),
    }
