from django.core.management.base import BaseCommand
from django.db import transaction

from archive import search
from archive.demo import TOPIC_NAMES_EN, WEEKS
from archive.models import Topic, Week
from archive.services import write_weeks


class Command(BaseCommand):
    help = "Install the published demo weeks; a week that exists already is left as it is."

    def handle(self, *args, **options):
        for demo in WEEKS:
            label = demo.week.iso_label
            if Week.objects.at(demo.week).exists():
                self.stdout.write(f"Demo week {label} is already there; left as it is.")
                continue
            with transaction.atomic(), search.deferred():
                write_weeks([demo], publish=True)
                for name, english in TOPIC_NAMES_EN.items():
                    # A curator's own English name stays.
                    Topic.objects.filter(name=name, name_en="").update(name_en=english)
            self.stdout.write(self.style.SUCCESS(f"Demo week {label} installed."))
