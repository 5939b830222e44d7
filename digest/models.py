from django.db import models

from archive.models import Post


class PostFragment(models.Model):
    """A post as readers see it in one language, rendered when it changed (digest/fragments.py).

    Derived from the content, like the topic counts: database triggers delete a post's rows in
    the same transaction as any write to what they show, and rows rendered by other templates,
    translations or settings (another `fingerprint`) are ignored, so a row that exists is always
    what rendering the post now would give.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="fragments")
    language = models.CharField(max_length=8)
    fingerprint = models.CharField(max_length=32)
    # digest/includes/post.html as the week page and home show it (the number left as a mark).
    page_html = models.TextField()
    # Its part of its week's entry in the weeks feed, and of the week's summary there.
    week_entry_html = models.TextField()
    summary_item_html = models.TextField()
    # The post's own feed entry: digest/feeds/post.html with its week, links absolute.
    entry_html = models.TextField()
    # The entry's categories: both names of each of its topics.
    categories = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "language"], name="fragment_post_language")
        ]

    def __str__(self):
        return f"{self.post_id} ({self.language})"
