"""The site's URLs plus two yardsticks bench/booking.py measures booking against (same
server, middleware and database): /bench/insert, a bare Django view doing one INSERT, and
/bench/insert-authenticated, the same INSERT behind what every API write passes first
(DRF, the Bearer token's look-up, the shared-cache write limit, the JSON body parsed)."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import APIView

from traino.urls import urlpatterns as site_urlpatterns


@csrf_exempt
def bare_insert(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_insert (n) VALUES (%s) RETURNING id", [1])
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


class AuthenticatedInsert(APIView):
    """The project's default authentication, permission and throttle classes."""

    def post(self, request):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_insert (n) VALUES (%s) RETURNING id", [len(request.data)]
            )
            (row_id,) = cursor.fetchone()
        return Response({"id": row_id}, status=201)


urlpatterns = [
    path("bench/insert", bare_insert),
    path("bench/insert-authenticated", AuthenticatedInsert.as_view()),
    *site_urlpatterns,
]
