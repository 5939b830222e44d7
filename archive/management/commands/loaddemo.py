from django.core.management.base import BaseCommand
from django.db import transaction

from archive.demo import WEEKS
from archive.models import Link, Post, PostLink, Status
from digest.models import WeeklyDigest


class Command(BaseCommand):
    help = "Install the published demo weeks; a week that exists already is left as it is."

    def handle(self, *args, **options):
        for demo in WEEKS:
            label = f"{demo.year}-W{demo.week:02d}"
            if WeeklyDigest.objects.filter(year=demo.year, week=demo.week).exists():
                self.stdout.write(f"Demo week {label} is already there; left as it is.")
                continue
            with transaction.atomic():
                self.install(demo)
            self.stdout.write(self.style.SUCCESS(f"Demo week {label} installed."))

    def install(self, demo):
        published = {"status": Status.PUBLISHED, "published_at": demo.published_at}
        digest = WeeklyDigest.objects.create(
            year=demo.year, week=demo.week, title=demo.title, intro=demo.intro,
            outro=demo.outro, **published,
        )  # fmt: skip
        for position, item in enumerate(demo.posts):
            post = Post.objects.create(
                digest=digest,
                position=position,
                title=item.title,
                posted_on=item.posted_on,
                source=Link.objects.for_url(item.source) if item.source else None,
                summary=item.summary,
                commentary=item.commentary,
                **published,
            )
            post.tags.add(*item.tags)
            for order, demo_link in enumerate(item.links):
                link = Link.objects.for_url(demo_link.url)
                if demo_link.kind and link.kind != demo_link.kind:
                    link.kind = demo_link.kind
                    link.save(update_fields=["kind"])
                PostLink.objects.create(post=post, link=link, label=demo_link.label, position=order)
