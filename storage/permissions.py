"""Who may see or delete which file; the upload pages and the API look files up here."""

from django.http import Http404

from .models import UserFile


def can_access(*, user, file: UserFile) -> bool:
    """The owner, and staff."""
    return user.is_authenticated and (user.is_staff or file.user_id == user.pk)


def file_for(user, file_id: int, *, staff: bool) -> UserFile:
    """The file if ``user`` may act on it, else Http404 for any reason: whether someone
    else's file exists is not told. ``staff``: staff reach every file (the API); the upload
    pages act on the user's own files only."""
    file = UserFile.objects.filter(pk=file_id).first()
    if file is None:
        raise Http404
    allowed = can_access(user=user, file=file) if staff else file.user_id == user.pk
    if not allowed:
        raise Http404
    return file
