"""The readers' side's background work (django-tasks, run by `manage.py db_worker`)."""

from django_tasks import task

from digest import fragments


@task()
def render_fragments():
    """Store every post's missing fragments (digest/fragments.py): after a change too large to
    render as it commits, or a release that renders posts differently."""
    fragments.refresh()
