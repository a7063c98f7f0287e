"""The project's URLs plus the HTML upload view, until a page wires it in for real."""

from django.urls import path

from storage import views
from traino.urls import handler400, handler403, handler404, handler500, urlpatterns

urlpatterns = [
    path("test-upload/", views.upload, name="storage-upload"),
    path("media/<path:key>", views.public_media),
    *urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
