"""Web pages of the documents app: the decision lists ("my decisions"), the decision page and
its status fragment, and the public verification page."""

from django.urls import path

from . import views

urlpatterns = [
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/mine/", views.decision_mine, name="decision-mine"),
    path(
        "decisions/mine/<int:pk>/acknowledge/",
        views.decision_mine_acknowledge,
        name="decision-mine-acknowledge",
    ),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/status/", views.decision_status, name="decision-status"),
    path("decisions/<int:pk>/preview/", views.decision_preview, name="decision-preview"),
    path("decisions/<int:pk>/pdf/", views.decision_pdf, name="decision-pdf"),
    path(
        "decisions/<int:pk>/acknowledge/",
        views.decision_acknowledge,
        name="decision-acknowledge",
    ),
    path("verify/<str:code>/", views.verify, name="verify"),
]
