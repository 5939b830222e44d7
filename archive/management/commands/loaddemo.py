from django.core.management.base import BaseCommand

from archive.demo import WEEKS
from archive.models import Week
from archive.services import write_weeks


class Command(BaseCommand):
    help = "Install the published demo weeks; a week that exists already is left as it is."

    def handle(self, *args, **options):
        for demo in WEEKS:
            label = demo.week.iso_label
            if Week.objects.at(demo.week).exists():
                self.stdout.write(f"Demo week {label} is already there; left as it is.")
                continue
            write_weeks([demo], publish=True)
            self.stdout.write(self.style.SUCCESS(f"Demo week {label} installed."))
