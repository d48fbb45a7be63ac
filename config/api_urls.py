from django.urls import path

from accounts import api as accounts_api
from documents import api as documents_api
from personnel import api as personnel_api
from reports import api as reports_api
from workflow import api as workflow_api

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("me/", personnel_api.MeView.as_view(), name="api-me"),
    path("units/", personnel_api.UnitListView.as_view(), name="api-units"),
    path("positions/", personnel_api.PositionListView.as_view(), name="api-positions"),
    path("officials/", personnel_api.OfficialListView.as_view(), name="api-officials"),
    path("officials/<int:pk>/", personnel_api.OfficialDetailView.as_view(), name="api-official"),
    path(
        "reports/locality/",
        reports_api.LocalityReportView.as_view(),
        name="api-report-locality",
    ),
    path("proposals/", workflow_api.ProposalListView.as_view(), name="api-proposals"),
    path("proposals/<int:pk>/", workflow_api.ProposalDetailView.as_view(), name="api-proposal"),
    path(
        "proposals/<int:pk>/transitions/<str:name>/",
        workflow_api.ProposalTransitionView.as_view(),
        name="api-proposal-transition",
    ),
    path(
        "proposals/<int:pk>/opinions/",
        workflow_api.ProposalOpinionsView.as_view(),
        name="api-proposal-opinions",
    ),
    path(
        "proposals/<int:pk>/exceptions/",
        workflow_api.ProposalExceptionsView.as_view(),
        name="api-proposal-exceptions",
    ),
    path(
        "proposals/<int:pk>/ballots/",
        workflow_api.ProposalBallotsView.as_view(),
        name="api-proposal-ballots",
    ),
    path(
        "proposals/<int:pk>/vote/",
        workflow_api.ProposalVoteView.as_view(),
        name="api-proposal-vote",
    ),
    path(
        "proposals/<int:pk>/history/",
        workflow_api.ProposalHistoryView.as_view(),
        name="api-proposal-history",
    ),
    path("inbox/", workflow_api.InboxView.as_view(), name="api-inbox"),
    path("decisions/", documents_api.DecisionListView.as_view(), name="api-decisions"),
    path("decisions/<int:pk>/", documents_api.DecisionDetailView.as_view(), name="api-decision"),
    path(
        "decisions/<int:pk>/pdf/", documents_api.DecisionPdfView.as_view(), name="api-decision-pdf"
    ),
    path(
        "decisions/<int:pk>/acknowledge/",
        documents_api.DecisionAcknowledgeView.as_view(),
        name="api-decision-acknowledge",
    ),
    path("documents/", documents_api.ProposalDocumentListView.as_view(), name="api-documents"),
    path(
        "documents/<int:pk>/pdf/",
        documents_api.ProposalDocumentPdfView.as_view(),
        name="api-document-pdf",
    ),
]
