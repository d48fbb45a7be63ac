from django.urls import path

from personnel import api as personnel_api

urlpatterns = [
    path("auth/token/", personnel_api.TokenView.as_view(), name="api-token"),
    path("me/", personnel_api.MeView.as_view(), name="api-me"),
    path("units/", personnel_api.UnitListView.as_view(), name="api-units"),
    path("positions/", personnel_api.PositionListView.as_view(), name="api-positions"),
    path("officials/", personnel_api.OfficialListView.as_view(), name="api-officials"),
    path("officials/<int:pk>/", personnel_api.OfficialDetailView.as_view(), name="api-official"),
]
