from django.urls import path

from accounts import api as accounts_api
from documents import api as documents_api
from personnel import api as personnel_api
from reports import api as reports_api
from workflow import api as workflow_api


def _api(route, view, name):
    return path(route, view.as_view(), name=name)


urlpatterns = [
    _api("auth/token/", accounts_api.TokenView, "api-token"),
    _api("me/", personnel_api.MeView, "api-me"),
    _api("units/", personnel_api.UnitListView, "api-units"),
    _api("positions/", personnel_api.PositionListView, "api-positions"),
    _api("officials/", personnel_api.OfficialListView, "api-officials"),
    _api("officials/<int:pk>/", personnel_api.OfficialDetailView, "api-official"),
    _api("reports/locality/", reports_api.LocalityReportView, "api-report-locality"),
    _api("proposals/", workflow_api.ProposalListView, "api-proposals"),
    _api("proposals/<int:pk>/", workflow_api.ProposalDetailView, "api-proposal"),
    _api(
        "proposals/<int:pk>/transitions/<str:name>/",
        workflow_api.ProposalTransitionView,
        "api-proposal-transition",
    ),
    _api(
        "proposals/<int:pk>/opinions/", workflow_api.ProposalOpinionsView, "api-proposal-opinions"
    ),
    _api(
        "proposals/<int:pk>/exceptions/",
        workflow_api.ProposalExceptionsView,
        "api-proposal-exceptions",
    ),
    _api("proposals/<int:pk>/ballots/", workflow_api.ProposalBallotsView, "api-proposal-ballots"),
    _api("proposals/<int:pk>/vote/", workflow_api.ProposalVoteView, "api-proposal-vote"),
    _api("proposals/<int:pk>/history/", workflow_api.ProposalHistoryView, "api-proposal-history"),
    _api("inbox/", workflow_api.InboxView, "api-inbox"),
    _api("decisions/", documents_api.DecisionListView, "api-decisions"),
    _api("decisions/<int:pk>/", documents_api.DecisionDetailView, "api-decision"),
    _api("decisions/<int:pk>/pdf/", documents_api.DecisionPdfView, "api-decision-pdf"),
    _api(
        "decisions/<int:pk>/acknowledge/",
        documents_api.DecisionAcknowledgeView,
        "api-decision-acknowledge",
    ),
    _api("documents/", documents_api.ProposalDocumentListView, "api-documents"),
    _api("documents/<int:pk>/pdf/", documents_api.ProposalDocumentPdfView, "api-document-pdf"),
]
