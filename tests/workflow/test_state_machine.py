"""Random actions by random users, checked after every step (hypothesis stateful testing).

Whatever happens, every state a proposal is in was reached by a legal transition of SPEC §4 (the
table below is written out here, independent of the model), an official has at most one open
proposal, a round never holds more ballots than eligible voters (and exactly one per receipt),
and the audit chain verifies. Each example builds its own world inside a savepoint that is
rolled back at teardown, so it runs the same on SQLite and PostgreSQL.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, settings
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
from workflow import eligibility, services
from workflow.errors import WorkflowError
from workflow.models import (
    OPEN_STATES,
    Ballot,
    BallotReceipt,
    EligibleVoter,
    RotationProposal,
    VoteRound,
)

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


# Who usually takes which step from each state; `next_step` picks one of them.
NEXT_STEPS = {
    "draft": [("submit", "author")] * 5 + [("withdraw", "author")],
    "returned": [("submit", "author")] * 3 + [("withdraw", "author")],
    "submitted": [("start_review", "reviewer")] * 2
    + [
        ("start_review", "reviewer_b"),
        ("return_for_revision", "reviewer"),
        ("reject", "board_head"),
    ],
    "in_review": [("opinion", "reviewer")] * 2
    + [("exceptions", "board_head")]
    + [("endorse", "board_head")] * 3
    + [("return_for_revision", "reviewer"), ("reject", "board_head")],
    "endorsed": [("open_vote", "chair"), ("open_vote", "deputy")],
    "voting": [("everyone_votes", None)] * 2
    + [("close_vote", "chair")] * 3
    + [("cancel_vote", "chair")],
    "approved": [("issue_decision", "clerk")],
    "issued": [("post", "clerk"), ("post", "system"), ("revoke", "chair")],
    "in_effect": [("end_rotation", "board_head")],
}


class ProposalWorkflow(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.w = build_world()
        self.proposals: list[int] = []
        self.successes = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def user(self, name):
        if name == "system":
            return None
        if name == "plain_member":
            return self.w.members[4]
        return getattr(self.w, name)

    def attempt(self, fn, *, user, **kwargs):
        try:
            fn(actor=Actor.for_user(user), **kwargs)
        except WorkflowError as exc:
            assert exc.status in (400, 403, 404, 409), exc
            assert exc.message
        else:
            self.successes += 1

    # --- Rules ----------------------------------------------------------------------------

    @initialize(official=st.sampled_from(["an", "dung", "hoa"]))
    def first_proposal(self, official):
        """Every run starts with one well-formed proposal, so the steps have something to do."""
        targets = {
            "an": ("HB-DB-DR", "PBT-TT"),
            "dung": ("HB-DB-TL", "BT"),
            "hoa": ("HB-DB-TT", "BT"),
        }
        proposal = services.proposal_create(
            actor=Actor.for_user(self.w.proposer),
            official=getattr(self.w, official),
            kind="rotation" if official == "an" else "transfer",
            target_position=self.w.pos[targets[official]],
            effective_date=TODAY,
            duration_months=36 if official == "an" else None,
            rationale="Đề xuất đầu tiên.",
        )
        self.proposals.append(proposal.pk)

    @precondition(lambda self: len(self.proposals) < 3)
    @rule(
        official=st.sampled_from(OFFICIALS),
        position=st.sampled_from(TARGETS),
        kind=st.sampled_from(["rotation", "transfer", "secondment"]),
        months=st.sampled_from([None, 12, 36, 48]),
        days=st.integers(min_value=-5, max_value=40),
        author=st.sampled_from(["proposer", "proposer", "proposer_tuly", "reviewer", "outsider"]),
    )
    def create(self, official, position, kind, months, days, author):
        try:
            proposal = services.proposal_create(
                actor=Actor.for_user(self.user(author)),
                official=getattr(self.w, official),
                kind=kind,
                target_position=self.w.pos[position],
                effective_date=TODAY + dt.timedelta(days=days),
                duration_months=months,
                rationale="Ngẫu nhiên.",
            )
        except WorkflowError as exc:
            assert exc.status in (400, 403)
        else:
            self.proposals.append(proposal.pk)

    @precondition(lambda self: self.proposals)
    @rule(
        index=st.integers(min_value=0, max_value=50),
        name=st.sampled_from([*LEGAL, "bogus"]),
        who=st.sampled_from(USERS),
        comment=st.sampled_from(["", "Có lý do."]),
        casting=st.sampled_from([None, "approve", "disapprove"]),
        outcome=st.sampled_from(["", "returned", "kept"]),
    )
    def transition(self, index, name, who, comment, casting, outcome):
        pid = self.proposals[index % len(self.proposals)]
        data = {"comment": comment, "casting": casting, "outcome": outcome}
        self.attempt(
            services.proposal_transition,
            name=name,
            proposal_id=pid,
            user=self.user(who),
            **data,
        )

    _step_args = {
        # Mostly the newest proposal, so that one of them gets far.
        "index": st.sampled_from([0, 0, 0, 1, 2]),
        "pick": st.integers(min_value=0, max_value=7),
        "casting": st.sampled_from(["approve", "disapprove"]),
        "outcome": st.sampled_from(["returned", "reassigned", "kept"]),
    }

    # Five rules for the same plausible step, so that random runs get deep into the workflow
    # (hypothesis also switches random subsets of rules off in each run).
    @precondition(lambda self: self.proposals)
    @rule(**_step_args)
    def next_step(self, index, pick, casting, outcome):
        self._next_step(index, pick, casting, outcome)

    @precondition(lambda self: self.proposals)
    @rule(**_step_args)
    def another_step(self, index, pick, casting, outcome):
        self._next_step(index, pick, casting, outcome)

    @precondition(lambda self: self.proposals)
    @rule(**_step_args)
    def one_more_step(self, index, pick, casting, outcome):
        self._next_step(index, pick, casting, outcome)

    @precondition(lambda self: self.proposals)
    @rule(**_step_args)
    def a_further_step(self, index, pick, casting, outcome):
        self._next_step(index, pick, casting, outcome)

    @precondition(lambda self: self.proposals)
    @rule(**_step_args)
    def yet_another_step(self, index, pick, casting, outcome):
        self._next_step(index, pick, casting, outcome)

    def _next_step(self, index, pick, casting, outcome):
        """A plausible next step by the user whose job it is (it may still be refused)."""
        pid = self.proposals[-1 - min(index, len(self.proposals) - 1)]
        proposal = RotationProposal.objects.get(pk=pid)
        author = proposal.author
        steps = NEXT_STEPS.get(proposal.state)
        if not steps:
            return
        name, who = steps[pick % len(steps)]
        user = author if who == "author" else (self.user(who) if who else None)
        if name == "opinion":
            self.attempt(
                services.opinion_add,
                proposal_id=proposal.pk,
                user=user,
                opinion="endorse",
                comment="Tán thành.",
            )
        elif name == "exceptions":
            for result in eligibility.evaluate(proposal):
                if result.code in eligibility.EXCEPTABLE_CODES and not result.ok:
                    self.attempt(
                        services.exception_grant,
                        proposal_id=proposal.pk,
                        user=user,
                        code=result.code,
                        justification="Trường hợp đặc biệt.",
                    )
        elif name == "everyone_votes":
            choices = ["approve", "approve", "disapprove", "abstain"]
            for i, member in enumerate(self.w.members):
                self.attempt(
                    services.ballot_cast,
                    proposal_id=proposal.pk,
                    user=member,
                    choice=choices[(i + pick) % len(choices)]
                    if casting == "disapprove"
                    else "approve",
                )
        else:
            data = {"comment": "Ghi chú.", "casting": casting, "outcome": outcome}
            self.attempt(
                services.proposal_transition,
                name=name,
                proposal_id=proposal.pk,
                user=user,
                **data,
            )

    @precondition(lambda self: self.proposals)
    @rule(
        index=st.integers(min_value=0, max_value=50),
        who=st.sampled_from(["reviewer", "reviewer_b", "board_head", "proposer", "chair"]),
        opinion=st.sampled_from(["endorse", "endorse", "revise", "oppose"]),
    )
    def opinion(self, index, who, opinion):
        pid = self.proposals[index % len(self.proposals)]
        self.attempt(
            services.opinion_add,
            proposal_id=pid,
            user=self.user(who),
            opinion=opinion,
            comment="Ý kiến.",
        )

    @precondition(lambda self: self.proposals)
    @rule(
        index=st.integers(min_value=0, max_value=50),
        who=st.sampled_from(["board_head", "reviewer"]),
        code=st.sampled_from(["in_planning", "remaining_service", "min_duration", "non_local"]),
    )
    def exception(self, index, who, code):
        pid = self.proposals[index % len(self.proposals)]
        self.attempt(
            services.exception_grant,
            proposal_id=pid,
            user=self.user(who),
            code=code,
            justification="Trường hợp đặc biệt.",
        )

    @precondition(lambda self: self.proposals)
    @rule(
        index=st.integers(min_value=0, max_value=50),
        # 0–10: the committee; 11, 12: the subject and an outsider, who may never vote.
        voters=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=11),
        choice=st.sampled_from(["approve", "approve", "disapprove", "abstain"]),
    )
    def ballots(self, index, voters, choice):
        pid = self.proposals[index % len(self.proposals)]
        people = [*self.w.members, self.w.subject_user, self.w.outsider]
        for i in voters:
            self.attempt(services.ballot_cast, proposal_id=pid, user=people[i], choice=choice)

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


@pytest.mark.django_db
def test_random_actions_by_random_users_keep_the_workflow_sound():
    run_state_machine_as_test(
        ProposalWorkflow,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
