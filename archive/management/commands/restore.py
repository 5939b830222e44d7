from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError

from archive.services import SiteNotEmpty, restore_backup


class Command(BaseCommand):
    help = (
        "Load a file written by `backup` into this database (after `migrate`), in one "
        "transaction. Refuses a database that already has content unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE.json")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete this database's users, weeks, posts, links and topics first.",
        )

    def handle(self, *, file, force, **options):
        if file.suffix != ".json" or not file.is_file():
            raise CommandError(f"{file} is not a backup file (FILE.json written by `backup`).")
        try:
            counts = restore_backup(file, replace=force)
        except SiteNotEmpty as error:
            present = ", ".join(f"{n} {name}" for name, n in error.counts.items() if n)
            raise CommandError(
                f"This database already holds {present}; nothing was changed. Restore into a "
                "freshly migrated database, or pass --force to replace its content."
            ) from None
        except (DeserializationError, DatabaseError) as error:
            raise CommandError(
                f"{file} could not be restored; nothing was changed.\n{error}"
            ) from None
        restored = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Restored {restored} from {file}"))
