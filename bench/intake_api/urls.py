"""The partner API and the ceiling (a minimal view that does one insert), nothing else.

The rest of the site is left out so the benchmark does not depend on pages being built
in parallel; every request still goes through the full middleware stack.
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from haven.common.views import healthz


@csrf_exempt
@require_POST
def one_insert(request: HttpRequest) -> HttpResponse:
    # The least a Django view can do to store a request: the same middleware, one INSERT.
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_ceiling (body) VALUES (%s)", [request.body.decode()])
    return HttpResponse(b'{"stored": true}', status=201, content_type="application/json")


urlpatterns = [
    path("healthz", healthz),
    path("api/", include("haven.intake.api.urls")),
    path("bench/ceiling", one_insert),
]
