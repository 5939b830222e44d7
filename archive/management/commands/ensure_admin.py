import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils.crypto import get_random_string

USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Make sure the admin login exists and print it: created with a random password kept in "
        "$JUGAN_DATA_DIR/admin-login.txt; an account whose password was changed is left alone."
    )

    def handle(self, *args, **options):
        saved = Path(settings.DATA_DIR) / "admin-login.txt"
        admin_url = settings.SITE_URL + reverse("admin:index")
        user = get_user_model().objects.filter(username=USERNAME).first()

        if user is None:
            password = get_random_string(24)
            get_user_model().objects.create_superuser(USERNAME, email="", password=password)
            write_private(saved, f"user: {USERNAME}\npassword: {password}\n")
            self.stdout.write(self.style.SUCCESS(f"Created the admin login (saved in {saved}):"))
            self.print_login(admin_url, password)
            return

        password = read_password(saved)
        if password is not None and user.check_password(password):
            self.stdout.write(f"Admin login (from {saved}):")
            self.print_login(admin_url, password)
            if not (user.is_active and user.is_staff):
                self.stdout.write(
                    self.style.WARNING(
                        f"The account {USERNAME!r} is inactive or not staff, so this login "
                        "does not open the admin; fix it with manage.py shell or createsuperuser."
                    )
                )
            return

        self.stdout.write(
            self.style.WARNING(
                f"The account {USERNAME!r} exists but its password is not the one in {saved} "
                "(it was changed, or that file is gone), so it was left as it is.\n"
                f"To choose a new password: python manage.py changepassword {USERNAME}"
            )
        )

    def print_login(self, admin_url, password):
        self.stdout.write(f"  {admin_url}\n  user: {USERNAME}\n  password: {password}")
        if settings.TWO_FACTOR_REQUIRED:
            self.stdout.write(
                "  and a code from an authenticator app: two-factor sign-in is required "
                "(TWO_FACTOR_REQUIRED), and the first sign-in sets it up"
            )


def write_private(path, text):
    """Write a file only its owner can read, even if it existed with wider permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def read_password(path):
    """The password saved for USERNAME, or None when the file is missing or not ours."""
    try:
        lines = path.read_text().splitlines()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    if lines[:1] != [f"user: {USERNAME}"] or not lines[1:2]:
        return None
    return lines[1].removeprefix("password: ")
