"""Actions by users, checked after every step (hypothesis stateful testing).

Most steps are moves the acting user may take (read from the transition declarations and
workflow.permissions, as the pages and the API list them), with the opinions and ballots that
let a proposal go on; some are random actions by random users. After every step: a success
left audit events whose actor is the user who called, a refusal is one of the specific refusals
below (never "any 4xx") and wrote nothing. Whatever happens, every state a proposal is in was
reached by a legal transition of SPEC §4 (the table below is written out here, independent of
the model), an official has at most one open proposal, a round never holds more ballots than
eligible voters (and exactly one per receipt), and the audit chain verifies. The run is
deterministic and must reach every state of ProposalState.

Each example builds its own world inside a savepoint that is rolled back at teardown, so it runs
the same on SQLite and PostgreSQL.
"""

import datetime as dt
import pprint
import time

import pytest
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from audit.models import AuditEvent
from audit.services import audit_verify
from personnel.roles import Actor
from tests.helpers import TODAY
from tests.world import build_workflow_world as build_world
from workflow import eligibility, permissions, services
from workflow.errors import WorkflowError
from workflow.models import (
    OPEN_STATES,
    Ballot,
    BallotReceipt,
    EligibleVoter,
    Opinion,
    ProposalState,
    RotationProposal,
    VoteRound,
)
from workflow.transitions import BY_NAME

# SPEC §4, written out: transition → (states it may start from, states it may end in).
LEGAL = {
    "submit": ({"draft", "returned"}, {"submitted"}),
    "withdraw": ({"draft", "submitted", "in_review", "returned"}, {"withdrawn"}),
    "start_review": ({"submitted"}, {"in_review"}),
    "return_for_revision": ({"submitted", "in_review"}, {"returned"}),
    "endorse": ({"in_review"}, {"endorsed"}),
    "reject": ({"submitted", "in_review"}, {"rejected"}),
    "open_vote": ({"endorsed"}, {"voting"}),
    "cancel_vote": ({"voting"}, {"endorsed"}),
    "close_vote": ({"voting"}, {"approved", "rejected"}),
    "issue_decision": ({"approved"}, {"issued"}),
    "post": ({"issued"}, {"in_effect"}),
    "end_rotation": ({"in_effect"}, {"completed"}),
    "revoke": ({"issued"}, {"revoked"}),
}
# The refusals a step may meet, by HTTP status: anything else (another code, a 500) fails.
REFUSALS = {
    400: {
        "comment_required",
        "outcome_required",
        "casting_required",
        "unknown_transition",
        "date_in_past",
        "current_assignment",
        "single_open_proposal",
        "same_position",
        "target_outside_committee",
    },
    403: {"not_allowed", "own_proposal", "author_conflict", "signer_is_subject"},
    404: {"not_found"},
    409: {
        "wrong_state",
        "before_effective_date",
        "after_effective_date",
        "not_applicable",
        "endorse_opinion_required",
        "eligibility_errors",
        "quorum_not_met",
        "quorum_unreachable",
        "no_open_vote",
        "already_voted",
        "opinion_exists",
        "exception_exists",
        # Posting finds the registry changed since the decision (workflow/postings.py).
        "target_taken",
        "from_assignment_ended",
        "already_holds_target",
    },
}
USERS = [
    "proposer",
    "proposer_tuly",
    "reviewer",
    "reviewer_b",
    "board_head",
    "chair",
    "deputy",
    "clerk",
    "member_cuong",
    "plain_member",
    "subject_user",
    "outsider",
    "admin",
    "system",
]
OFFICIALS = ["an", "binh", "cuong", "dung", "hoa"]
TARGETS = [
    ("HB-DB-DR", "PBT-TT"),
    ("HB-DB-DR", "PCT"),
    ("HB-DB-TL", "BT"),
    ("HB-DB-TT", "BT"),
    ("HB-DB-TL", "PCT"),
]
# Every state any proposal of the run reached (checked by the last test).
REACHED: set[str] = set()
STEPS = {"moves": 0, "refused": 0}
CODES: dict[str, int] = {}


class ProposalWorkflow(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.w = build_world()
        self.proposals: list[int] = []
        self._actors = {}

    def actor(self, user, day=None) -> Actor:
        """The user's roles on `day` (today by default), read once per example."""
        key = (None if user is None else user.pk, day)
        if key not in self._actors:
            self._actors[key] = Actor.for_user(user, day=day)
        return self._actors[key]

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def user(self, name):
        if name == "system":
            return None
        if name == "plain_member":
            return self.w.members[4]
        return getattr(self.w, name)

    def attempt(self, fn, *, who, action, day=None, **kwargs):
        """Call a service as `who` (a persona or a user); check what it wrote or why it refused."""
        user = self.user(who) if isinstance(who, str) else who
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        try:
            result = fn(actor=self.actor(user, day), **kwargs)
        except WorkflowError as exc:
            assert exc.code in REFUSALS.get(exc.status, ()), (exc.status, exc.code, exc.text())
            assert exc.text()
            assert not AuditEvent.objects.filter(id__gt=last).exists(), "a refusal wrote"
            STEPS["refused"] += 1
            CODES[f"{action}:{exc.code}"] = CODES.get(f"{action}:{exc.code}", 0) + 1
            return None
        events = list(AuditEvent.objects.filter(id__gt=last))
        assert action in {e.action for e in events}, (action, [e.action for e in events])
        actor_id = None if user is None else user.pk
        # Who acted is who called, in every event the step wrote.
        assert {e.actor_id for e in events} == {actor_id}, (action, who, events)
        STEPS["moves"] += 1
        CODES[f"{action}:ok"] = CODES.get(f"{action}:ok", 0) + 1
        REACHED.update(e.to_state for e in events if e.to_state)
        return result

    def proposal_at(self, index) -> RotationProposal:
        pid = self.proposals[-1 - index % len(self.proposals)]
        return RotationProposal.objects.select_related("official").get(pk=pid)

    def transition(self, name, proposal, who, *, day=None, casting=None, outcome=None):
        return self.attempt(
            services.proposal_transition,
            who=who,
            action=name,
            day=day,
            name=name,
            proposal_id=proposal.pk,
            comment="Có lý do.",
            casting=casting,
            outcome=outcome,
        )

    # --- Rules ----------------------------------------------------------------------------

    @initialize(official=st.sampled_from(["an", "dung", "hoa"]))
    def first_proposal(self, official):
        """Every run starts with one well-formed proposal, effective in ten days (so that it
        may be revoked today and posted on that day), so the steps have something to do."""
        targets = {
            "an": ("HB-DB-DR", "PBT-TT"),
            "dung": ("HB-DB-TL", "BT"),
            "hoa": ("HB-DB-TT", "BT"),
        }
        proposal = self.attempt(
            services.proposal_create,
            who="proposer",
            action="create",
            official=getattr(self.w, official),
            # A term that can end, so that the run may reach "completed".
            kind="secondment" if official == "dung" else "rotation",
            target_position=self.w.pos[targets[official]],
            effective_date=TODAY + dt.timedelta(days=10),
            duration_months=12 if official == "dung" else 36,
            rationale="Đề xuất đầu tiên.",
        )
        self.proposals.append(proposal.pk)

    def newest_is_finished(self) -> bool:
        return not RotationProposal.objects.get(pk=self.proposals[-1]).is_open

    # Another proposal once the newest one is finished, so that effort is not spread thin.
    @precondition(lambda self: len(self.proposals) < 3 and self.newest_is_finished())
    @rule(
        official=st.sampled_from(OFFICIALS),
        position=st.sampled_from(TARGETS),
        kind=st.sampled_from(["rotation", "transfer", "secondment"]),
        months=st.sampled_from([None, 12, 36, 48]),
        days=st.integers(min_value=-2, max_value=40),
        author=st.sampled_from(["proposer", "proposer", "proposer_tuly", "reviewer", "outsider"]),
    )
    def create(self, official, position, kind, months, days, author):
        proposal = self.attempt(
            services.proposal_create,
            who=author,
            action="create",
            official=getattr(self.w, official),
            kind=kind,
            target_position=self.w.pos[position],
            effective_date=TODAY + dt.timedelta(days=days),
            duration_months=months,
            rationale="Ngẫu nhiên.",
        )
        if proposal is not None:
            self.proposals.append(proposal.pk)

    def moves(self, proposal) -> list[tuple]:
        """What may be done to the proposal now, and by whom: the transitions each persona may
        take (on the effective date for posting), an opinion by a reviewer who has not given
        one in this round, the ballots of those who have not voted, the exceptions that lift a
        failed check."""
        found = []
        for who in USERS:
            user = self.user(who)
            actor = self.actor(user)
            for name in allowed(actor, proposal):
                if not ready(name, proposal):
                    continue
                found += [("transition", name, who, None)] * weight(name)
            if proposal.state == ProposalState.ISSUED:
                on_the_day = self.actor(user, proposal.effective_date)
                if permissions.check("post", on_the_day, proposal):
                    found += [("transition", "post", who, proposal.effective_date)] * weight("post")
            if permissions.can_add_opinion(actor, proposal) and not Opinion.objects.filter(
                proposal=proposal, author=user
            ).exclude(proposal__state=ProposalState.RETURNED).filter(
                review_round=proposal.events.filter(action="start_review").count()
            ):
                found += [("opinion", None, who, None)] * FORWARD
            if who == "board_head" and permissions.can_grant_exception(actor, proposal):
                failed = [
                    r.code
                    for r in eligibility.evaluate(proposal)
                    if r.code in eligibility.EXCEPTABLE_CODES and not r.ok
                ]
                granted = set(proposal.exceptions.values_list("code", flat=True))
                found += [("exception", code, who, None) for code in failed if code not in granted]
        if proposal.state == ProposalState.VOTING:
            found += [("ballots", None, None, None)] * FORWARD
        return found

    _move_args = {
        # Mostly the newest proposal, so that each run takes one far.
        "index": st.sampled_from([0, 0, 0, 1, 2]),
        # A few allowed moves in a row on that proposal, each checked as a step of its own.
        "picks": st.lists(st.integers(min_value=0, max_value=60), min_size=4, max_size=16),
        "casting": st.sampled_from(["approve", "disapprove"]),
        "outcome": st.sampled_from(["returned", "reassigned", "kept"]),
    }

    def _moves(self, index, picks, casting, outcome):
        for pick in picks:
            self._move(self.proposal_at(index), pick, casting, outcome)

    def _move(self, proposal, pick, casting, outcome):
        moves = self.moves(proposal)
        if not moves:
            return
        kind, name, who, day = moves[pick % len(moves)]
        if kind == "transition":
            self.transition(name, proposal, who, day=day, casting=casting, outcome=outcome)
        elif kind == "opinion":
            self.attempt(
                services.opinion_add,
                who=who,
                action="opinion",
                proposal_id=proposal.pk,
                opinion=["endorse", "endorse", "endorse", "revise", "oppose"][pick % 5],
                comment="Ý kiến thẩm định.",
            )
        elif kind == "exception":
            self.attempt(
                services.exception_grant,
                who=who,
                action="exception",
                proposal_id=proposal.pk,
                code=name,
                justification="Trường hợp đặc biệt.",
            )
        else:
            vote_round = proposal.vote_rounds.get(status=VoteRound.Status.OPEN)
            voted = set(BallotReceipt.objects.filter(round=vote_round).values_list("user_id"))
            # Mostly approvals; every fifth run of ballots mostly disapproves.
            choices = ["approve"] * 3 if pick % 5 else ["disapprove", "disapprove", "approve"]
            for i, member in enumerate(self.w.members):
                if (member.pk,) in voted:
                    continue
                self.attempt(
                    services.ballot_cast,
                    who=member,
                    action="ballot_receipt",
                    proposal_id=proposal.pk,
                    choice=choices[i % 3],
                )

    # Five rules for an allowed move, so that runs get deep into the workflow (hypothesis
    # switches random subsets of rules off in each run).
    @precondition(lambda self: self.proposals)
    @rule(**_move_args)
    def allowed_move(self, index, picks, casting, outcome):
        self._moves(index, picks, casting, outcome)

    @precondition(lambda self: self.proposals)
    @rule(**_move_args)
    def another_allowed_move(self, index, picks, casting, outcome):
        self._moves(index, picks, casting, outcome)

    @precondition(lambda self: self.proposals)
    @rule(**_move_args)
    def a_third_allowed_move(self, index, picks, casting, outcome):
        self._moves(index, picks, casting, outcome)

    @precondition(lambda self: self.proposals)
    @rule(**_move_args)
    def a_fourth_allowed_move(self, index, picks, casting, outcome):
        self._moves(index, picks, casting, outcome)

    @precondition(lambda self: self.proposals)
    @rule(**_move_args)
    def a_fifth_allowed_move(self, index, picks, casting, outcome):
        self._moves(index, picks, casting, outcome)

    @precondition(lambda self: self.proposals)
    @rule(
        index=st.integers(min_value=0, max_value=50),
        name=st.sampled_from([*LEGAL, "bogus"]),
        who=st.sampled_from(USERS),
        with_comment=st.booleans(),
    )
    def any_transition_by_anyone(self, index, name, who, with_comment):
        """Mostly refused, each time for a stated reason."""
        proposal = self.proposal_at(index)
        self.attempt(
            services.proposal_transition,
            who=who,
            action=name,
            name=name,
            proposal_id=proposal.pk,
            comment="Có lý do." if with_comment else "",
        )

    @precondition(lambda self: self.proposals)
    @rule(
        index=st.integers(min_value=0, max_value=50),
        what=st.sampled_from(["opinion", "ballot"]),
        who=st.sampled_from(["reviewer", "reviewer_b", "board_head", "proposer", "chair"]),
        opinion=st.sampled_from(["endorse", "revise", "oppose"]),
        # 0–10: the committee; 11, 12: the subject and an outsider, who may never vote.
        voter=st.integers(min_value=0, max_value=12),
        choice=st.sampled_from(["approve", "disapprove", "abstain"]),
    )
    def any_opinion_or_ballot(self, index, what, who, opinion, voter, choice):
        """Mostly refused, each time for a stated reason."""
        proposal_id = self.proposal_at(index).pk
        if what == "opinion":
            self.attempt(
                services.opinion_add,
                who=who,
                action="opinion",
                proposal_id=proposal_id,
                opinion=opinion,
                comment="Ý kiến.",
            )
        else:
            people = [*self.w.members, self.w.subject_user, self.w.outsider]
            self.attempt(
                services.ballot_cast,
                who=people[voter],
                action="ballot_receipt",
                proposal_id=proposal_id,
                choice=choice,
            )

    # --- Invariants -----------------------------------------------------------------------

    @invariant()
    def every_state_was_reached_by_a_legal_transition(self):
        events = AuditEvent.objects.filter(
            proposal_id__in=self.proposals, action__in=[*LEGAL, "create"]
        ).order_by("id")
        trail = {}
        for event in events:
            if event.action == "create":
                assert event.to_state == "draft"
                trail[event.proposal_id] = "draft"
                continue
            sources, targets = LEGAL[event.action]
            assert trail[event.proposal_id] == event.from_state
            assert event.from_state in sources, (event.action, event.from_state)
            assert event.to_state in targets, (event.action, event.to_state)
            trail[event.proposal_id] = event.to_state
        states = dict(
            RotationProposal.objects.filter(pk__in=self.proposals).values_list("pk", "state")
        )
        assert trail == states

    @invariant()
    def an_official_has_at_most_one_open_proposal(self):
        crowded = (
            RotationProposal.objects.filter(state__in=OPEN_STATES)
            .values("official_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not crowded.exists()

    @invariant()
    def ballots_never_exceed_eligible_voters(self):
        for vote_round in VoteRound.objects.all():
            eligible = set(
                EligibleVoter.objects.filter(round=vote_round).values_list("user_id", flat=True)
            )
            receipts = list(
                BallotReceipt.objects.filter(round=vote_round).values_list("user_id", flat=True)
            )
            ballots = Ballot.objects.filter(round=vote_round).count()
            assert set(receipts) <= eligible
            assert len(receipts) == len(set(receipts)) == ballots
            assert ballots <= len(eligible)
            if vote_round.status == VoteRound.Status.CANCELLED:
                assert ballots == 0

    @invariant()
    def the_audit_chain_verifies(self):
        report = audit_verify()
        assert report.ok, report


def allowed(actor, proposal) -> list[str]:
    return permissions.allowed_transitions(actor, proposal)


# Forward moves eight times as often as those that end or undo something; an issued decision is
# posted (by the office or the system) or revoked (by the chair) about as often.
WEIGHTS = {"post": 2, "revoke": 3}
FORWARD = 8


def weight(name) -> int:
    return WEIGHTS.get(name, 1 if BY_NAME[name].negative else FORWARD)


def ready(name, proposal) -> bool:
    """Whether an allowed move's own preconditions hold: an "endorse" opinion and no error left
    unexcepted before endorsing, the quorum before closing the vote (the random rules try them
    anyway)."""
    if name == "endorse":
        return proposal.opinions.filter(opinion="endorse").exists() and not (
            eligibility.blocking_errors(eligibility.evaluate(proposal))
        )
    if name == "close_vote":
        vote_round = proposal.vote_rounds.get(status=VoteRound.Status.OPEN)
        return vote_round.receipts.count() >= vote_round.quorum
    return True


# The run's profile, whatever profile is loaded: deterministic (derandomize: the same examples in
# CI and locally), bounded (25 examples of at most 60 steps, under a minute on SQLite), no
# deadline (a step writes to the database).
PROFILE = settings(
    settings.get_profile("default"),
    # A failure is reported as found: shrinking a run that writes to the database takes long.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    max_examples=25,
    stateful_step_count=60,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
_RUN = {}


def run_once() -> dict:
    """Run the machine once per process; both tests below read what it reached."""
    if not _RUN:
        started = time.monotonic()
        run_state_machine_as_test(ProposalWorkflow, settings=PROFILE)
        _RUN.update(reached=set(REACHED), seconds=time.monotonic() - started, codes=CODES, **STEPS)
    return _RUN


@pytest.mark.django_db
def test_actions_by_users_keep_the_workflow_sound():
    run = run_once()
    assert run["moves"] > run["refused"] / 4, pprint.pformat(run)


@pytest.mark.django_db
def test_the_run_reaches_every_state():
    reached = run_once()["reached"]
    assert reached == set(ProposalState.values), (
        sorted(set(ProposalState.values) - reached),
        pprint.pformat(run_once()),
    )
