"""The slugs posts and topics had before, so their old addresses answer with a redirect."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0006_weeks_and_topics'),
    ]

    operations = [
        migrations.CreateModel(
            name='PostSlug',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(allow_unicode=True, max_length=100, unique=True, verbose_name='former slug')),
                ('changed', models.DateTimeField(auto_now=True, verbose_name='changed')),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='former_slugs', to='archive.post', verbose_name='post')),
            ],
            options={
                'verbose_name': 'former slug of a post',
                'verbose_name_plural': 'former slugs of posts',
            },
        ),
        migrations.CreateModel(
            name='TopicSlug',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(allow_unicode=True, max_length=100, unique=True, verbose_name='former slug')),
                ('changed', models.DateTimeField(auto_now=True, verbose_name='changed')),
                ('topic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='former_slugs', to='archive.topic', verbose_name='topic')),
            ],
            options={
                'verbose_name': 'former slug of a topic',
                'verbose_name_plural': 'former slugs of topics',
            },
        ),
    ]
