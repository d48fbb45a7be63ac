"""Web pages of the workflow: the proposal list, the new-proposal and edit forms, the proposal
page, the confirmation of each action, the ballot and the office's page.

Thin, like the API: fetch with a guard (404 when the user may not see the proposal, 403 when
they may not act, 409 when its state does not allow the action), call one service, redirect with
a message. A service's refusal is shown next to the field it is about, never as a 500.
"""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from documents.selectors import decision_list_for_user, decision_status, with_acknowledgement
from lib.numbers import fmt_percent
from lib.params import parse_int
from personnel import roles
from personnel.locality import locality_impact
from personnel.models import (
    Assignment,
    Committee,
    CommitteeMember,
    Official,
    OrgUnit,
    Term,
)
from personnel.roles import request_actor
from personnel.selectors import active_on_q, official_assignments_on, official_list, unit_sorted

from . import eligibility, permissions, selectors, services
from .diagram import state_diagram_svg, state_steps
from .display import CHECK_TITLES, SEVERITY_LABELS, event_label
from .errors import Conflict, Invalid, NotAllowed, NotFound, WorkflowError
from .forms import (
    DATE_INPUTS,
    ActionForm,
    BallotForm,
    ExceptionForm,
    OfficialSearchForm,
    OpinionForm,
    ProposalFilterForm,
    ProposalForm,
)
from .models import (
    OPEN_STATES,
    EligibilityException,
    EligibleVoter,
    Opinion,
    ProposalState,
    RotationOutcome,
    RotationProposal,
    VoteRound,
)
from .transitions import BY_NAME

S = ProposalState
PER_PAGE = 25
OFFICIAL_RESULTS = 15
OFFICE_DECISIONS = 20

# --- Guards ---------------------------------------------------------------------------------


def with_actor(view):
    """Log-in required; the user's roles are read once (request.actor) and passed on."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.user_roles = request_actor(request).role_names()
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _get_proposal(request, pk) -> RotationProposal:
    """The proposal, or 404 when it does not exist or the user may not see it."""
    try:
        return selectors.proposal_get(actor=request.actor, proposal_id=pk)
    except NotFound:
        raise Http404(_("No such proposal, or you may not see it."))


def _refused(request, proposal, reason: str, *, conflict: bool):
    """403 with the reason when the role forbids it; 409 when the state does not allow it."""
    if not conflict:
        raise PermissionDenied(reason)
    return render(
        request,
        "workflow/refused.html",
        {"proposal": proposal, "reason": reason},
        status=409,
    )


def _guard(request, proposal, verdict):
    """None when allowed, else the refusal response (or PermissionDenied raised)."""
    if verdict:
        return None
    return _refused(request, proposal, verdict.reason, conflict=verdict.is_state_problem)


def _detail_url(proposal, anchor="") -> str:
    url = reverse("workflow:proposal_detail", args=[proposal.pk])
    return f"{url}#{anchor}" if anchor else url


# --- The list -------------------------------------------------------------------------------


@with_actor
@require_safe
def proposal_list(request):
    actor = request.actor
    units = unit_sorted(OrgUnit.objects.all())
    terms = list(Term.objects.order_by("-start", "kind"))
    filters = ProposalFilterForm(request.GET or None, units=units, terms=terms)
    params = {}
    if filters.is_bound:
        filters.is_valid()  # a value that is not a choice is reported; the valid filters apply
        params = filters.cleaned_data
    term = next((t for t in terms if str(t.pk) == str(params.get("term") or "")), None)
    proposals = selectors.proposal_list(
        actor=actor,
        state=params.get("state") or None,
        kind=params.get("kind") or None,
        search=params.get("q") or "",
        unit_id=int(params["unit"]) if params.get("unit") else None,
        term=term,
    )
    page = Paginator(proposals, PER_PAGE).get_page(request.GET.get("page"))
    filtered = any(params.get(name) for name in ("q", "state", "kind", "unit", "term"))
    return render(
        request,
        "workflow/proposal_list.html",
        {
            "page": page,
            "filters": filters,
            "filtered": filtered,
            "may_propose": bool(actor.proposer_scopes),
            "is_office": bool(actor.office),
        },
    )


# --- Drafting -------------------------------------------------------------------------------


def _require_proposer(actor):
    if not actor.proposer_scopes:
        raise PermissionDenied(
            _("You may not draft proposals: your account has no proposer scope.")
        )


def _officials_in_scope(actor, search: str):
    """Officials the actor may propose to move, matching the name typed."""
    today = actor.day
    units = set().union(*actor.proposer_units.values()) if actor.proposer_units else set()
    in_scope = Assignment.objects.filter(active_on_q(today), position__unit_id__in=units)
    open_proposal = RotationProposal.objects.filter(
        official=OuterRef("pk"), state__in=OPEN_STATES
    ).values("pk")[:1]
    qs = (
        official_list(search=search, on=today)
        .filter(id__in=in_scope.values("official_id"))
        .annotate(open_proposal=Subquery(open_proposal))
    )
    if actor.official_id is not None:
        qs = qs.exclude(pk=actor.official_id)
    return list(qs[:OFFICIAL_RESULTS])


@with_actor
@require_safe
def official_search(request):
    """The search-as-you-type fragment (htmx); a plain request gets the whole page."""
    _require_proposer(request.actor)
    if not request.htmx:
        return redirect(f"{reverse('workflow:proposal_new')}?{request.GET.urlencode()}")
    return render(request, "workflow/_official_results.html", _official_search(request))


def _official_search(request) -> dict:
    """The name typed (?q=) and the officials in the actor's scope that match it."""
    search = OfficialSearchForm(request.GET)
    q = search.cleaned_data.get("q", "") if search.is_valid() else ""
    results = _officials_in_scope(request.actor, q) if q.strip() else []
    return {"search": search, "results": results, "q": q}


def _official_from(request):
    raw = request.POST.get("official") or request.GET.get("official") or ""
    if not raw:
        return None
    try:
        return get_object_or_404(Official, pk=parse_int(raw))
    except ValueError:
        raise BadRequest("malformed official")


def _vacancy_day(request, default: dt.date) -> dt.date:
    """Vacancies are counted on the effective date typed, once there is one."""
    raw = request.POST.get("effective_date", "")
    for fmt in DATE_INPUTS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return default


@with_actor
@require_http_methods(["GET", "POST"])
def proposal_new(request):
    actor = request.actor
    _require_proposer(actor)
    official = _official_from(request)
    if official is None:
        return render(request, "workflow/proposal_new.html", _official_search(request))

    current = official_assignments_on(official, actor.day).first()
    if current is None:
        raise PermissionDenied(
            _("%(name)s holds no post today: there is nothing to move them from.")
            % {"name": official.full_name}
        )
    verdict = permissions.can_create(
        actor, official_id=official.pk, unit_id=current.position.unit_id
    )
    if not verdict:
        raise PermissionDenied(verdict.reason)
    committee = Committee.objects.get(
        pk=permissions.proposer_committee_ids(actor, current.position.unit_id)[0]
    )

    def create(form):
        try:
            proposal = services.proposal_create(
                actor=actor, official=official, committee=committee, **form.service_arguments()
            )
        except NotAllowed as error:
            raise PermissionDenied(error.text())
        except WorkflowError as error:
            form.add_service_error(error)
            return None
        messages.success(
            request,
            _("The draft is saved. Check the checklist, then submit it to the organisation board."),
        )
        return redirect(_detail_url(proposal))

    initial = {"kind": "rotation", "duration_months": committee.min_rotation_months}
    return _proposal_form(
        request, official, current, committee, _vacancy_day(request, actor.day), initial, create
    )


@with_actor
@require_http_methods(["GET", "POST"])
def proposal_edit(request, pk):
    actor = request.actor
    proposal = _get_proposal(request, pk)
    refusal = _guard(request, proposal, permissions.can_update(actor, proposal))
    if refusal:
        return refusal
    initial = {
        "target_position": proposal.target_position_id,
        "kind": proposal.kind,
        "effective_date": proposal.effective_date,
        "duration_months": proposal.duration_months,
        "rationale": proposal.rationale,
        "higher_post_justification": proposal.higher_post_justification,
    }

    def update(form):
        return _call_service(
            request,
            proposal,
            form,
            lambda: services.proposal_update(
                proposal_id=proposal.pk, actor=actor, **form.service_arguments()
            ),
            done=_("The proposal is saved."),
            url=_detail_url(proposal),
        )

    day = _vacancy_day(request, proposal.effective_date)
    official, current, committee = proposal.official, proposal.from_assignment, proposal.committee
    return _proposal_form(
        request, official, current, committee, day, initial, update, editing=proposal
    )


def _proposal_form(request, official, current, committee, day, initial, save, *, editing=None):
    """The new-proposal or edit form, its target posts counted vacant on `day`. A valid POST
    goes to `save(form)`: its response (a redirect or a refusal) ends the request, None shows
    the form again with the service's refusal."""
    targets = selectors.target_positions_for(
        committee=committee, exclude_position_id=current.position_id, day=day
    )
    posted = request.method == "POST"
    form = ProposalForm(request.POST if posted else None, targets=targets, initial=initial)
    if posted and form.is_valid():
        response = save(form)
        if response is not None:
            return response
    open_proposal = None
    if editing is None:  # a new draft warns when the official already has an open proposal
        open_proposal = (
            RotationProposal.objects.filter(official=official, state__in=OPEN_STATES)
            .values_list("pk", flat=True)
            .first()
        )
    context = {
        "form": form,
        "official": official,
        "current": current,
        "committee": committee,
        "vacancy_day": day,
        "open_proposal": open_proposal,
        "editing": editing,
    }
    return render(request, "workflow/proposal_form.html", context)


# --- The proposal page ----------------------------------------------------------------------


class CheckRow:
    """One line of the checklist, live or as the committee saw it."""

    def __init__(self, result):
        self.code, self.severity, self.ok = result.code, result.severity, result.ok
        self.title = str(CHECK_TITLES.get(result.code, result.code))
        self.severity_label = str(SEVERITY_LABELS.get(result.severity, result.severity))
        self.message = str(result.message)
        self.excepted, self.enforced = result.excepted, result.enforced
        self.exception = None
        self.exception_form = None

    @property
    def status(self) -> str:
        if self.ok:
            return "ok"
        if self.excepted:
            return "excepted"
        return self.severity


LIVE_CHECK_STATES = {S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.RETURNED}


def _checklist(proposal, exceptions):
    """Live checks while the proposal is being prepared and appraised (and when it ended before
    endorsement); from endorsement on, the checklist the committee saw (stored at endorsement)."""
    snapshot = proposal.eligibility_snapshot
    at = None
    ended_early = proposal.state in (S.WITHDRAWN, S.REJECTED) and not snapshot
    if proposal.state not in LIVE_CHECK_STATES and not ended_early:
        snapshot = snapshot or {}
        results = eligibility.results_from_snapshot(snapshot)
        at = snapshot.get("evaluated_at")
    else:
        results = eligibility.evaluate(proposal, exceptions={e.code for e in exceptions})
    return [CheckRow(r) for r in results], (dt.datetime.fromisoformat(at) if at else None)


def _impact(proposal) -> dict:
    impact = locality_impact(proposal)
    for key in ("before", "after"):
        impact[key]["percent"] = fmt_percent(impact[key]["ratio"])
    impact["target_percent"] = fmt_percent(impact["target"])
    return impact


def _event_detail(event) -> str:
    """What the audit event's data adds to its label, for the events that carry something."""
    data = event.data or {}
    if event.action == "decision_issued" and data.get("number"):
        return str(data["number"])
    if event.action == "close_vote" and "approve" in data:
        return _("%(approve)s approve, %(disapprove)s disapprove, %(abstain)s abstain") % data
    if event.action == "opinion" and data.get("opinion") in Opinion.Choice.values:
        return str(Opinion.Choice(data["opinion"]).label)
    if event.action == "exception" and data.get("code"):
        return str(CHECK_TITLES.get(data["code"], data["code"]))
    if event.action == "end_rotation" and data.get("outcome") in RotationOutcome.values:
        return str(RotationOutcome(data["outcome"]).label)
    return ""


def _history_entry(event) -> dict:
    labels = {state.value: state.label for state in ProposalState}
    moved = event.from_state and event.to_state and event.from_state != event.to_state
    return {
        "event": event,
        "label": event_label(event.action),
        "detail": _event_detail(event),
        "from": labels.get(event.from_state) if moved else None,
        "to": labels.get(event.to_state) if moved or event.action == "create" else None,
    }


def _recorded(history) -> tuple[list, list]:
    """The opinions and exceptions as the audit events recorded them (each service writes its
    row and its event together), so that the page reads the history once."""
    opinions = [
        Opinion(
            author=e.actor, opinion=e.data.get("opinion", ""), comment=e.comment, created_at=e.at
        )
        for e in history
        if e.action == "opinion"
    ]
    exceptions = [
        EligibilityException(
            code=e.data.get("code", ""),
            justification=e.comment,
            granted_by=e.actor,
            created_at=e.at,
        )
        for e in history
        if e.action == "exception"
    ]
    return opinions, exceptions


def _is_staff_of(actor, proposal) -> bool:
    return actor.is_superuser or proposal.committee_id in actor.committee_ids()


@with_actor
@require_safe
def proposal_detail(request, pk):
    actor = request.actor
    proposal = _get_proposal(request, pk)
    history = selectors.proposal_history(proposal=proposal, actor=actor)
    opinions, exceptions = _recorded(history)
    checks, checked_at = _checklist(proposal, exceptions)
    by_code = {e.code: e for e in exceptions}
    may_grant = permissions.can_grant_exception(actor, proposal)
    for row in checks:
        row.exception = by_code.get(row.code)
        grantable = may_grant and row.code in eligibility.EXCEPTABLE_CODES
        if grantable and not row.ok and row.exception is None:
            row.exception_form = ExceptionForm(initial={"code": row.code}, prefix=row.code)

    visited = {state for e in history for state in (e.from_state, e.to_state) if state}
    # The actions that move the proposal forward first, the first of them as the main button.
    transitions = sorted(
        (BY_NAME[name] for name in permissions.allowed_transitions(actor, proposal)),
        key=lambda t: t.negative,
    )
    actions = [
        {
            "name": t.name,
            "title": t.button,
            "negative": t.negative,
            "primary": index == 0 and not t.negative,
            "url": reverse("workflow:proposal_action", args=[proposal.pk, t.name]),
        }
        for index, t in enumerate(transitions)
    ]
    # Before endorsement a proposal has no vote and no document: nothing to read.
    endorsed = proposal.state not in LIVE_CHECK_STATES | {S.WITHDRAWN}
    vote = selectors.vote_status(proposal=proposal, actor=actor) if endorsed else selectors.NO_VOTE
    # No decision yet raises RelatedObjectDoesNotExist, an AttributeError: getattr says None.
    decision = getattr(proposal, "decision", None)
    documents = (
        list(proposal.documents.order_by("created_at"))
        if endorsed and _is_staff_of(actor, proposal)
        else []
    )
    may_add_opinion = permissions.can_add_opinion(actor, proposal)
    context = {
        "proposal": proposal,
        "checks": checks,
        "checked_at": checked_at,
        "blocking": [c for c in checks if not c.ok and c.severity == "error" and not c.excepted],
        "exceptions": exceptions,
        "actions": actions,
        "may_edit": bool(permissions.can_update(actor, proposal)),
        "vote": vote,
        "may_vote": vote.i_may_vote,
        "history": [_history_entry(event) for event in history],
        "diagram": state_diagram_svg(current=proposal.state, visited=visited),
        "steps": state_steps(current=proposal.state, visited=visited),
        "impact": _impact(proposal),
        "decision": decision,
        "decision_status": decision_status(decision, request.user) if decision else None,
        "documents": documents,
        "opinions": opinions,
        "opinion_form": OpinionForm() if may_add_opinion else None,
        "is_staff": _is_staff_of(actor, proposal),
    }
    return render(request, "workflow/proposal_detail.html", context)


# --- Actions --------------------------------------------------------------------------------


def _signers(proposal, day) -> list[tuple[int, str]]:
    """Who may sign (personnel.roles.signers), less the official the decision is about."""
    labels = {
        CommitteeMember.Role.CHAIR: _("Secretary"),
        CommitteeMember.Role.DEPUTY: _("Standing Deputy Secretary"),
    }
    return [
        (s.user.pk, f"{s.name} — {labels[s.role]}")
        for s in roles.signers(proposal.committee, day)
        if s.user.pk != proposal.official.user_id
    ]


@with_actor
@require_http_methods(["GET", "POST"])
def proposal_action(request, pk, name):
    """The confirmation page of one transition (GET), and the transition itself (POST)."""
    if name not in BY_NAME:
        raise Http404(_("No such action."))
    actor = request.actor
    proposal = _get_proposal(request, pk)
    refusal = _guard(request, proposal, permissions.check(name, actor, proposal))
    if refusal:
        return refusal
    signers = _signers(proposal, actor.day) if name == "issue_decision" else ()
    ask_casting = request.method == "POST" and "casting" in request.POST
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        action=name,
        signers=signers,
        ask_casting=ask_casting,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_transition(
                name, proposal_id=proposal.pk, actor=request.actor, **form.service_data()
            )
        except NotAllowed as error:
            raise PermissionDenied(error.text())
        except Invalid as error:
            if error.code == "casting_required":
                # A tie: ask the chair's casting decision on the same page.
                form = ActionForm(request.POST, action=name, ask_casting=True)
                form.is_valid()
                form.errors.pop("casting", None)
            form.add_service_error(error)
        except Conflict as error:
            form.add_service_error(error)
            status = 409
        else:
            messages.success(request, BY_NAME[name].done)
            return redirect(_detail_url(proposal))
    return render(
        request,
        "workflow/action_confirm.html",
        {
            "proposal": proposal,
            "action": name,
            "title": BY_NAME[name].button,
            "help": BY_NAME[name].help,
            "form": form,
            "vote": selectors.vote_status(proposal=proposal, actor=actor)
            if name in ("close_vote", "cancel_vote")
            else None,
        },
        status=status,
    )


def _call_service(request, proposal, form, call, *, done, url):
    """Run a valid form's service call: a refusal by role is 403, a changed proposal 409, bad
    input goes next to its field (None: show the form again); on success say `done`, go to `url`."""
    try:
        call()
    except NotAllowed as error:
        raise PermissionDenied(error.text())
    except Conflict as error:
        return _refused(request, proposal, error.text(), conflict=True)
    except WorkflowError as error:
        form.add_service_error(error)
        return None
    messages.success(request, done)
    return redirect(url)


def _form_post(request, proposal, form, service, *, done, anchor, template, **context):
    """Hand a valid form's data to `service`; on success say `done` and go back to the
    proposal's `anchor`, else show the form again with the service's refusal."""
    if form.is_valid():
        try:
            service(proposal_id=proposal.pk, actor=request.actor, **form.cleaned_data)
        except NotAllowed as error:
            raise PermissionDenied(error.text())
        except WorkflowError as error:
            form.add_service_error(error)
        else:
            messages.success(request, done)
            return redirect(_detail_url(proposal, anchor))
    return render(request, template, {"proposal": proposal, "form": form, **context})


@with_actor
@require_POST
def opinion_add(request, pk):
    proposal = _get_proposal(request, pk)
    refusal = _guard(request, proposal, permissions.can_add_opinion(request.actor, proposal))
    return refusal or _form_post(
        request,
        proposal,
        OpinionForm(request.POST),
        services.opinion_add,
        done=_("Your opinion is recorded."),
        anchor="opinions",
        template="workflow/opinion_form.html",
        title=_("Your opinion"),
    )


@with_actor
@require_POST
def exception_grant(request, pk):
    proposal = _get_proposal(request, pk)
    refusal = _guard(request, proposal, permissions.can_grant_exception(request.actor, proposal))
    code = request.POST.get("code", "")
    return refusal or _form_post(
        request,
        proposal,
        ExceptionForm(request.POST, prefix=code or None),
        services.exception_grant,
        done=_("The exception is granted."),
        anchor="checklist",
        template="workflow/exception_form.html",
        title=_("Grant an exception"),
        check_title=CHECK_TITLES.get(code, code),
    )


@with_actor
@require_http_methods(["GET", "POST"])
def ballot(request, pk):
    """The secret ballot: choose, confirm, cast. Once cast it cannot change, and the page says
    that the member voted, never how."""
    actor = request.actor
    proposal = _get_proposal(request, pk)
    vote = selectors.vote_status(proposal=proposal, actor=actor)
    context = {"proposal": proposal, "vote": vote, "title": _("Secret ballot")}
    if vote.i_have_voted:
        return render(request, "workflow/ballot.html", context)
    if not vote.i_may_vote:
        verdict = permissions.can_cast_ballot(
            actor, proposal, eligible=_is_eligible(proposal, actor)
        )
        if verdict:  # the proposal is voting but no round is open: data out of step
            return _refused(request, proposal, Conflict.default_message, conflict=True)
        return _guard(request, proposal, verdict)
    form = BallotForm(request.POST if request.method == "POST" else None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data.get("confirm"):
            confirming = True
        else:
            response = _call_service(
                request,
                proposal,
                form,
                lambda: services.ballot_cast(
                    proposal_id=proposal.pk, actor=request.actor, choice=form.cleaned_data["choice"]
                ),
                done=_("Your ballot is cast. It cannot be changed."),
                url=_detail_url(proposal, "vote"),
            )
            if response is not None:
                return response
    choice_label = ""
    if confirming:
        choice_label = dict(form.fields["choice"].choices)[form.cleaned_data["choice"]]
    context.update(form=form, confirming=confirming, choice_label=choice_label)
    return render(request, "workflow/ballot.html", context)


def _is_eligible(proposal, actor) -> bool:
    return EligibleVoter.objects.filter(
        round__proposal=proposal, round__status=VoteRound.Status.OPEN, user_id=actor.user_id
    ).exists()


# --- The office -----------------------------------------------------------------------------


@with_actor
@require_safe
def office(request):
    """The committee office: decisions to issue, postings due, and the decisions issued."""
    actor = request.actor
    if not actor.office and not actor.is_superuser:
        raise PermissionDenied(_("This page is for the committee office."))
    inbox = selectors.inbox_for_user(actor=actor)
    decisions = decision_list_for_user(request.user).select_related("proposal__official__user")
    if not actor.is_superuser:
        decisions = decisions.filter(committee_id__in=actor.office)
    decisions = with_acknowledgement(decisions).order_by("-issued_on", "-number", "-id")
    page = Paginator(decisions, OFFICE_DECISIONS).get_page(request.GET.get("page"))
    today = timezone.localdate()
    upcoming = list(
        selectors.proposal_list(actor=actor, state=S.ISSUED)
        .filter(committee_id__in=actor.office)
        .exclude(effective_date__lte=today)
        .order_by("effective_date", "id")[:OFFICE_DECISIONS]
    )
    return render(
        request,
        "workflow/office.html",
        {
            "to_issue": inbox["to_issue"],
            "to_post": inbox["to_post"],
            "upcoming": upcoming,
            "page": page,
            "today": today,
        },
    )
