import argparse
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils import timezone, translation

from archive.content import ContentError
from archive.importing import decode, parse_digest
from archive.models import CuratedQuerySet, Status, Week
from archive.services import import_week
from archive.weeks import IsoWeek


def iso_week(value):
    try:
        return IsoWeek.from_iso_label(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


class Command(BaseCommand):
    help = (
        "Import weekly round-ups written as Markdown blog posts: each file becomes a draft week "
        "with its posts and links. archive/importing.py describes the format."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--week",
            type=iso_week,
            help="The ISO week (2021-W05) of a single file, instead of the one its dates give.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be created; write nothing."
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish the weeks and their posts."
        )

    @no_translations  # its report is in English, the publishing service's reasons too
    def handle(self, *, files, week, dry_run, publish, **options):
        if week and len(files) > 1:
            raise CommandError("--week names the week of one file; import such files one by one.")
        for number, path in enumerate(files, start=1):
            self.stdout.write(f"[{number}/{len(files)}] {path}")
            try:
                content = parse_digest(decode(path.read_bytes(), str(path)), str(path), week)
                report = import_week(content, publish=publish, dry_run=dry_run)
            except (OSError, ContentError) as error:
                kept = " (the files before it were)" if number > 1 and not dry_run else ""
                reason = f"{path}: {error.strerror}" if isinstance(error, OSError) else error
                raise CommandError(f"{reason}\nNothing of {path} was imported{kept}.") from None
            self.describe(report, dry_run)

    def describe(self, report, dry_run):
        created = "would be created" if dry_run else "created"
        week = report.week
        state = f"new week, {created}" if report.week_created else "week already there"
        self.stdout.write(f"  {week.iso_label} ({week.korean_label}): {state}")
        for number, post in enumerate(report.posts, start=1):
            if post.created:
                links = f"{post.links} link" + ("" if post.links == 1 else "s")
                self.stdout.write(f"  + {number}. {post.title} ({post.posted_on}, {links})")
            else:
                self.stdout.write(f"  = {number}. {post.title}: already there, left as it is")
        self.stdout.write(
            self.style.SUCCESS(
                f"  {report.posts_created} of {len(report.posts)} posts {created}, "
                f"{report.links_created} new links"
            )
        )
        if report.publication:  # --publish: the round-up's posts that could not go out
            titles = {post.title for post in report.posts}
            for post, reason in report.publication.staying:
                if post.title in titles:
                    self.stdout.write(self.style.WARNING(f"  ! {post.title}: stays {reason}"))
        if not dry_run:
            self.stdout.write(self.publication(Week.objects.at(week).get()))

    def publication(self, week):
        """Where the week stands once imported: published or not, and what readers see where."""
        if week.status != Status.PUBLISHED:
            return "  a draft: publish it in the admin, or import it again with --publish"
        with translation.override(settings.LANGUAGE_CODE):  # its address in the site's language
            address = settings.SITE_URL + week.get_absolute_url()
        # The posts readers see once the week is out (all of them, unless some wait for later).
        moment = max(timezone.now(), week.published_at)
        shown = week.posts.filter(CuratedQuerySet.published_q(now=moment)).count()
        when = timezone.localtime(week.published_at).strftime("%Y-%m-%d %H:%M %Z")
        if week.is_published:
            state = f"published (since {when}): {address} shows"
        else:
            state = f"scheduled for {when}: {address} will show"
        return self.style.SUCCESS(f"  {state} {shown} of its {week.posts.count()} posts")
