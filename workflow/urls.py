"""Web pages of the workflow, mounted at /proposals/ (config/urls.py)."""

from django.urls import path

from . import views

app_name = "workflow"

urlpatterns = [
    path("", views.proposal_list, name="proposal_list"),
    path("new/", views.proposal_new, name="proposal_new"),
    path("new/officials/", views.official_search, name="official_search"),
    path("office/", views.office, name="office"),
    path("<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("<int:pk>/do/<slug:name>/", views.proposal_action, name="proposal_action"),
    path("<int:pk>/opinions/", views.opinion_add, name="opinion_add"),
    path("<int:pk>/exceptions/", views.exception_grant, name="exception_grant"),
    path("<int:pk>/ballot/", views.ballot, name="ballot"),
]
