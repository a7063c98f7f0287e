"""The site's URLs plus /bench/insert: a bare Django view doing one INSERT, the yardstick
bench/booking.py measures booking against (same server, middleware and database)."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from traino.urls import urlpatterns as site_urlpatterns


@csrf_exempt
def bare_insert(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_insert (n) VALUES (%s) RETURNING id", [1])
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [path("bench/insert", bare_insert), *site_urlpatterns]
