from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("locality/", views.locality, name="locality"),
    path("locality.csv", views.locality, {"fmt": "csv"}, name="locality-csv"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("pipeline.csv", views.pipeline, {"fmt": "csv"}, name="pipeline-csv"),
    path("directions/", views.directions, name="directions"),
    path("directions.csv", views.directions, {"fmt": "csv"}, name="directions-csv"),
    path("cadres-due/", views.cadres_due, name="cadres-due"),
    path("cadres-due.csv", views.cadres_due, {"fmt": "csv"}, name="cadres-due-csv"),
]
