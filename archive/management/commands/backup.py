from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.services import write_backup


class Command(BaseCommand):
    help = (
        "Write the whole site (weeks, posts, links, topics, users, groups) to a JSON file "
        "that `restore` loads into an empty database, SQLite or PostgreSQL. It holds password "
        "hashes: keep it private."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE.json")

    def handle(self, *, file, **options):
        if file.suffix != ".json":
            raise CommandError("A backup file name ends in .json.")
        # Written aside and renamed, so a failed backup never leaves a truncated FILE.json.
        partial = file.with_name(file.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8") as stream:
                write_backup(stream)
            partial.replace(file)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"Backed up the site to {file}"))
