"""Who reaches what: anonymous users and logged-in readers reach no admin page, a Curators
member curates but cannot touch users or groups, and every form refuses a POST without its
CSRF token. The admin's URLs come from the resolver, so a new admin view is covered at once."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from archive.models import AboutPage, Delivery, Link, Post, Topic, Week
from archive.tasks import fetch_link_metadata
from tests.factories import (
    make_link,
    make_published_week,
    make_subscriber,
    make_two_factor,
    make_user,
    sign_in_through_the_form,
)
from tests.hostile.routes import admin_urls
from tests.html import form_values, parse_html

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")
LOGOUT_URL = reverse("admin:logout")


@pytest.fixture
def site(db, settings):
    """A row of every model the admin edits, so that every admin URL names a real object."""
    week = make_published_week()
    AboutPage(community_name="TensorflowKR").save()
    link = make_link("https://example.com/unused")
    someone = make_user("someone", curator=True)
    make_two_factor(someone)  # an authenticator and recovery codes
    sign_in_through_the_form(someone, password="wrong")  # a failed sign-in, for the lockouts
    sign_in_through_the_form(make_user("staff", staff=True))  # a sign-in, for the sign-in log
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    fetch_link_metadata.enqueue(link.pk)  # a queued task, for the task list
    Delivery.objects.create(week=week, subscriber=make_subscriber())  # a mail and its reader
    assert Group.objects.exists() and Topic.objects.exists()
    return week


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_only_staff_reach_the_admin(site, who):
    client = Client() if who == "anonymous" else logged_in(make_user("reader"))

    for url in admin_urls():
        for method in (client.get, client.post):
            response = method(url, follow=True)
            # Logging out logs nobody out; the login page shows a form, to anonymous and
            # readers alike, saying a reader is not allowed in.
            last = response.redirect_chain[-1][0] if response.redirect_chain else url
            if url == LOGOUT_URL and response.status_code == 405:
                continue
            assert response.status_code == 200, (method.__name__, url, response.status_code)
            assert last.startswith(LOGIN_URL), (method.__name__, url, last)
            assert response.templates[0].name == "admin/login.html", url


CURATED = [Post, Link, Week, Topic]


def model_urls(model):
    info = model._meta.app_label, model._meta.model_name
    row = model._default_manager.first()
    return [
        reverse("admin:{}_{}_changelist".format(*info)),
        reverse("admin:{}_{}_add".format(*info)),
        reverse("admin:{}_{}_change".format(*info), args=[row.pk]),
        reverse("admin:{}_{}_history".format(*info), args=[row.pk]),
    ]


def test_a_curator_curates_and_cannot_manage_users_or_groups(site):
    curator = logged_in(make_user("curator", curator=True))

    for model in CURATED:
        for url in model_urls(model):
            assert curator.get(url).status_code == 200, url
    for url in [
        *model_urls(Group),
        *[url for url in admin_urls() if url.startswith("/admin/auth/user/")],
        "/admin/auth/",
    ]:
        assert curator.get(url, follow=True).status_code in {403, 404}, url
        attempt = curator.post(url, {"username": "mallory", "name": "Admins"}, follow=True)
        assert attempt.status_code in {403, 404}, url
    assert not get_user_model().objects.filter(username="mallory").exists()
    assert not Group.objects.filter(name="Admins").exists()


def test_the_curators_group_holds_only_curating_permissions():
    curators = Group.objects.get(name="Curators")

    apps = set(curators.permissions.values_list("content_type__app_label", flat=True))
    assert apps == {"archive", "taggit"}


# CSRF: every form a browser posts, posted by a client that checks the token like a browser's
# server would. Without the token each is refused; with it, the same post goes through.


def form_posts(site):
    post = Post.objects.first()
    return [
        reverse("admin:archive_post_add"),
        reverse("admin:archive_post_change", args=[post.pk]),
        reverse("admin:archive_post_delete", args=[post.pk]),
        reverse("admin:archive_post_changelist"),  # actions
        reverse("admin:archive_link_add"),
        reverse("admin:archive_week_add"),
        reverse("admin:archive_week_change", args=[site.pk]),
        reverse("admin:archive_week_changelist"),
        reverse("admin:archive_topic_add"),
        reverse("admin:password_change"),
        reverse("admin:logout"),
    ]


def test_every_form_refuses_a_post_without_its_csrf_token(site):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("curator", curator=True))

    for url in form_posts(site):
        response = browser.post(url, {"action": "publish", "_selected_action": ["1"]})
        assert response.status_code == 403, url
        assert b"CSRF" in response.content, url
    assert Client(enforce_csrf_checks=True).post(LOGIN_URL, {"username": "x"}).status_code == 403


def test_with_its_token_the_same_post_goes_through(site):
    """So the 403s above are the token's doing, not the permissions'."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("curator", curator=True))
    add = reverse("admin:archive_post_add")
    form = parse_html(browser.get(add).content).find("form", id="post_form")
    values = form_values(form) | {"title": "토큰과 함께", "posted_on": "2021-02-03"}

    response = browser.post(add, values)

    assert response.status_code == 302
    assert Post.objects.filter(title="토큰과 함께").exists()
