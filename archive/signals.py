from django.dispatch import Signal

# Sent after a bulk write through the ORM (`QuerySet.update`, `bulk_update`, `bulk_create`) to
# content, with the `pks` of the rows written: those send no post_save, yet what is derived from
# the content (topic counts, a cache in front) must learn of them as of any single save.
bulk_content_written = Signal()
