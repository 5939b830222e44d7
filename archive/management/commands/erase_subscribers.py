from django.conf import settings
from django.core.management.base import BaseCommand

from archive.subscriptions import erase_departed


class Command(BaseCommand):
    help = (
        "Erase the addresses that unsubscribed or were deactivated more than "
        "EMAIL_ERASE_AFTER_DAYS ago, and those that never confirmed (run it daily, e.g. from "
        "cron; README.md, 'Email delivery')."
    )

    def handle(self, *args, **options):
        erased = erase_departed()
        self.stdout.write(
            f"{erased} addresses erased (kept {settings.EMAIL_ERASE_AFTER_DAYS} days after "
            "they left)."
        )
