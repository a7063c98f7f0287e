from . import crypto
from .models import User


def user_get_by_email(email: str) -> User | None:
    """The only way to find a user by email: through the blind index, case-insensitive."""
    return User.objects.filter(email_index=crypto.blind_index(email)).first()
