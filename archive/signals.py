from django.dispatch import Signal

# Sent after a bulk write (`QuerySet.update`, `bulk_update`) to curated rows: those send no
# post_save, yet readers' caches must learn of them as of any single save.
bulk_content_written = Signal()
