from django.urls import path

from . import api, views

urlpatterns = [
    path("uploads", api.UploadListView.as_view(), name="api-uploads"),
    path("uploads/<int:pk>", api.UploadDetailView.as_view(), name="api-upload"),
    path("uploads/download", api.UploadDownloadView.as_view(), name="api-upload-download"),
]

# The HTML forms of the trainer's pages, and public images from disk in the embedded default
# (MEDIA_URL is "media/"; with S3 the view answers 404 and the bucket serves them).
page_urlpatterns = [
    path("uploads/", views.upload, name="upload"),
    path("uploads/<int:pk>/delete/", views.delete, name="upload-delete"),
    path("media/<path:key>", views.public_media, name="public-media"),
]
