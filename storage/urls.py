from django.urls import path

from . import api

urlpatterns = [
    path("uploads", api.UploadListView.as_view(), name="api-uploads"),
    path("uploads/<int:pk>", api.UploadDetailView.as_view(), name="api-upload"),
    path("uploads/download", api.UploadDownloadView.as_view(), name="api-upload-download"),
]
