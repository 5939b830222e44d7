from django.core.management.base import BaseCommand

from archive.subscriptions import export_subscribers


class Command(BaseCommand):
    help = (
        "Write the subscriber list as CSV (email, language, topics, status, confirmed_at), "
        "for a move to another mailing system: the subscribed addresses, or --all kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="A file to write (default: the terminal).")
        parser.add_argument(
            "--all",
            action="store_true",
            help="Also the addresses waiting for confirmation and those that left.",
        )

    def handle(self, *args, output=None, all=False, **options):
        if output:
            with open(output, "w", newline="", encoding="utf-8") as stream:
                count = export_subscribers(stream, everyone=all)
            self.stderr.write(f"{count} subscribers written to {output}")
        else:
            count = export_subscribers(self.stdout, everyone=all)
            self.stderr.write(f"{count} subscribers written")
