from __future__ import annotations

from .models import User
from .services import producer_grant

DEMO_USERS = {
    "producer": ("producer@example.org", "Pim Producent", "nl"),
    "learner": ("learner@example.org", "Lotte Leerling", "nl"),
}


def seed(*, password: str) -> dict[str, User]:
    users: dict[str, User] = {}
    for role, (email, name, language) in DEMO_USERS.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, full_name=name, language=language)
        users[role] = user
    producer_grant(user=users["producer"])
    return users
