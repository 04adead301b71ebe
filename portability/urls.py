from django.urls import path

from . import views

app_name = "portability"

urlpatterns = [
    path("scheme/records/", views.index, name="index"),
    path("scheme/records/import/", views.upload, name="upload"),
    path("scheme/records/import/template.csv", views.columns, name="template"),
    path("scheme/records/import/<uuid:pending_id>/", views.preview, name="preview"),
    path("scheme/records/import/<uuid:pending_id>/refused-rows.csv", views.errors_file, name="errors_file"),
    path("scheme/records/import/<uuid:pending_id>/confirm/", views.confirm, name="confirm"),
    path("scheme/records/import/<uuid:pending_id>/abandon/", views.abandon, name="abandon"),
    path("scheme/records/export/", views.export, name="export"),
]
