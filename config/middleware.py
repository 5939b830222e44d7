from django.http import QueryDict


class DropNulCharactersFromQueryMiddleware:
    """Query parameters without NUL characters, before any view reads them.

    Nobody types a NUL into an address, and PostgreSQL refuses it in any text a query compares:
    an admin filter such as `?title=%00` was a server error there. Form bodies keep theirs, for
    the forms to refuse with a message.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in "".join(values) for key, values in request.GET.lists()):
            query = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                query.setlist(
                    key.replace("\x00", ""), [value.replace("\x00", "") for value in values]
                )
            query._mutable = False
            request.GET = query
        return self.get_response(request)
