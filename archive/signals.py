from django.dispatch import Signal

# Sent after a bulk write (`QuerySet.update`, `bulk_update`) to curated rows, with their `pks`:
# those send no post_save, yet readers' caches must learn of them as of any single save.
bulk_content_written = Signal()


def give_topic_an_address(sender, instance, **kwargs):
    """A topic named only with symbols or emoji ("🔥", "C++" is fine) slugifies to nothing, and
    an empty slug has no page: every page listing topics would fail to link it. Such a topic is
    addressed by its characters' code points instead ("u1f525")."""
    if not instance.slug and instance.name.strip():
        address = "-".join(f"u{ord(character):x}" for character in instance.name.strip())
        instance.slug = address[: type(instance)._meta.get_field("slug").max_length].rstrip("-")
