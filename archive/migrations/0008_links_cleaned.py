"""Links and texts saved before their rules changed, brought up to them.

* Link kinds: package registries and demo apps (Hugging Face Spaces) are kinds of their own, and
  model hubs and paper sites are told apart more closely (`archive.normalize.identify`). A link
  whose kind was the fallback (article, other) gets the kind detected now; a Space saved as a
  repository becomes a demo. A kind a curator chose stays.
* Markdown: every address in a post's or week's text is stored normalised since saving does it
  (`archive.markdown_urls`); texts saved before keep no tracking parameter either, and their HTML
  is rendered again. Rows already clean are not written.

Going back leaves the data as it is: the old code reads it as it reads any text or kind.
"""

from django.db import migrations, models

FALLBACK_KINDS = ("article", "other")


def detect_kinds(apps, schema_editor):
    from archive.normalize import detect_kind

    Link = apps.get_model("archive", "Link")
    changed = []
    stale = models.Q(kind__in=FALLBACK_KINDS) | models.Q(
        kind="repository", normalized_url__contains="huggingface.co/spaces/"
    )
    for link in Link.objects.filter(stale).iterator():
        kind = detect_kind(link.normalized_url)
        if kind not in FALLBACK_KINDS and kind != link.kind:
            link.kind = kind
            changed.append(link)
    Link.objects.bulk_update(changed, ["kind"], batch_size=500)


def clean_markdown(apps, schema_editor):
    from archive.markdown_urls import normalize_markdown_urls
    from archive.rendering import render_markdown

    for model, fields in (("Post", ("summary", "commentary")), ("Week", ("intro", "outro"))):
        Model = apps.get_model("archive", model)
        changed = []
        for row in Model.objects.only("pk", *fields).iterator():
            cleaned = {field: normalize_markdown_urls(getattr(row, field)) for field in fields}
            if any(getattr(row, field) != text for field, text in cleaned.items()):
                for field, text in cleaned.items():
                    setattr(row, field, text)
                    setattr(row, f"{field}_html", render_markdown(text))
                changed.append(row)
        Model.objects.bulk_update(
            changed, [*fields, *(f"{field}_html" for field in fields)], batch_size=500
        )


class Migration(migrations.Migration):

    dependencies = [
        ("archive", "0007_slug_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="link",
            name="kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("repository", "Repository"),
                    ("package", "Package"),
                    ("paper", "Paper"),
                    ("dataset", "Dataset"),
                    ("model", "Model"),
                    ("demo", "Demo"),
                    ("video", "Video"),
                    ("community", "Community post"),
                    ("article", "Article"),
                    ("other", "Other"),
                ],
                help_text="Leave empty to detect it from the URL.",
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(detect_kinds, migrations.RunPython.noop),
        migrations.RunPython(clean_markdown, migrations.RunPython.noop),
    ]
