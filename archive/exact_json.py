"""dumpdata's JSON with datetimes to the microsecond, so a restored site has identical rows.

Django's JSON encoder cuts datetimes to milliseconds (the ECMA-262 format) while SQLite and
PostgreSQL keep microseconds; a backup must not lose them. The output is ordinary fixture JSON,
read back by `loaddata FILE.json`. Registered as the `json-exact` format in settings.
"""

import datetime

from django.core.serializers import json


class MicrosecondEncoder(json.DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime) and o.microsecond:
            return o.isoformat().replace("+00:00", "Z")
        return super().default(o)


class Serializer(json.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", MicrosecondEncoder)
        super()._init_options()


Deserializer = json.Deserializer
