import io
import zipfile

from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from digest.export import digest_markdown


@admin.action(description=_("Download as Markdown"))
def download_markdown(modeladmin, request, queryset):
    """The chosen weeks, drafts and all (curators export before publishing): one .md, or a .zip."""
    digests = list(queryset.order_by("year", "week"))
    if len(digests) == 1:
        digest = digests[0]
        return HttpResponse(
            digest_markdown(digest, digest.posts.all()),
            content_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{digest.iso_label}.md"'},
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for digest in digests:
            archive.writestr(f"{digest.iso_label}.md", digest_markdown(digest, digest.posts.all()))
    return HttpResponse(
        buffer.getvalue(),
        content_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="weeks.zip"'},
    )
