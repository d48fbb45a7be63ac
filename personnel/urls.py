from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "personnel"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="personnel:official_list"), name="index"),
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("officials/", views.official_list, name="official_list"),
    path("officials/<int:pk>/", views.official_detail, name="official_detail"),
]
