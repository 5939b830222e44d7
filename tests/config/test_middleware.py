from django.test import RequestFactory

from config.middleware import DropNulCharactersFromQueryMiddleware


def query_seen_by_the_view(query):
    seen = {}

    def view(request):
        seen.update(request.GET.lists())

    DropNulCharactersFromQueryMiddleware(view)(RequestFactory().get(f"/x/?{query}"))
    return seen


def test_nul_characters_never_reach_a_view_through_the_query():
    """PostgreSQL refuses NUL in any text a query compares: ?title=%00 on an admin list was a
    server error there."""
    assert query_seen_by_the_view("title=%00&q=a%00b&q=c&t%00ag=x") == {
        "title": [""],
        "q": ["ab", "c"],
        "tag": ["x"],
    }


def test_a_query_without_nul_reaches_the_view_unchanged():
    assert query_seen_by_the_view("q=%EB%AA%A8%EB%8D%B8&page=2") == {"q": ["모델"], "page": ["2"]}
