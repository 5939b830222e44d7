from django.conf import settings
from django.core.management.base import BaseCommand

from digest import fragments
from digest.models import PostFragment


class Command(BaseCommand):
    help = (
        "Render and store every post's missing fragments (what the week page and the feeds "
        "show of it), as the background task does; --all renders every post again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Render every post again.")
        parser.add_argument(
            "--language",
            action="append",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Only in this language (repeat for more); by default in every one.",
        )

    def handle(self, *args, all=False, language=None, **options):
        if all:
            PostFragment.objects.all().delete()
        fragments.refresh(languages=language)
        self.stdout.write(f"{PostFragment.objects.count()} fragments stored.")
