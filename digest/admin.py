from django.contrib import admin

from digest.admin_actions import download_markdown
from digest.models import WeeklyDigest


@admin.register(WeeklyDigest)
class WeeklyDigestAdmin(admin.ModelAdmin):
    actions = [download_markdown]
