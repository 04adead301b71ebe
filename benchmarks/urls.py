"""The product's URLs plus, under /bench/, plain Django views over the same rows
without the gate, the access event or decryption: the baseline each measured
page is compared with."""

from django.urls import include, path

from . import plain_views

urlpatterns = [
    path("bench/families/", plain_views.family_list, name="bench_family_list"),
    path("bench/families/<str:reference>/", plain_views.family_file, name="bench_family_file"),
    path("bench/my-families/", plain_views.my_families, name="bench_my_families"),
    path("bench/reviews/<uuid:review_id>/", plain_views.review_sample, name="bench_review_sample"),
    path("bench/access-log/<str:reference>/", plain_views.file_log, name="bench_file_log"),
    path("bench/statistics/", plain_views.statistics, name="bench_statistics"),
    path("bench/members/<uuid:member_id>/", plain_views.member_save, name="bench_member_save"),
    path("bench/families-new/", plain_views.family_create, name="bench_family_create"),
    path("", include("homestart.urls")),
]
