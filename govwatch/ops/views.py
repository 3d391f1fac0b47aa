"""Health checks for the proxy, the process supervisor and the load test's floor.

`/healthz` answers without touching the database: the framework's own cost for a request (every
middleware included), the floor the load test compares the real pages with. `/healthz/db` also
asks the database (`SELECT 1`): 503 while it is out of reach, 200 again as soon as it is back.
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def live(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
@require_safe
def database(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("数据库不可用 / database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
