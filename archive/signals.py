from django.dispatch import Signal

# Sent after a bulk write through the ORM (`QuerySet.update`, `bulk_update`, `bulk_create`) to
# content: those send no post_save, yet what is derived from the content (topic counts, a cache
# in front) must learn of them as of any single save. Sender: the model written.
bulk_content_written = Signal()
