"""The secret ballot (SPEC §4): who voted is kept apart from what was voted.

- A BallotReceipt says *that* a member voted; a Ballot says *what*; the two share nothing but
  the round: random UUID keys, no timestamps, no foreign key between them.
- While the vote is open a ballot's choice is sealed with Fernet under a key derived from
  SECRET_KEY (or BALLOT_KEY), so the database alone cannot read choices. The Fernet timestamp is
  fixed at 0: a real one would give the casting time, which the audit log of receipts could join.
  Every choice is padded to one length, so ciphertext lengths say nothing.
- At close, in the same transaction, the ballots of the round are unsealed, deleted and written
  again in random order with plaintext choices: the stored rows share one transaction and their
  order and keys are new, so nothing ties a row to the moment (and so the member) it was cast.
- The tally is computed then and only then.
"""

import base64
import math
import random
import uuid
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from .models import Ballot, BallotReceipt, VoteRound

CHOICES = tuple(Ballot.Choice.values)
_PAD = 16
_HKDF_INFO = b"luanchuyen/ballot-seal/v1"
_rng = random.SystemRandom()


def _fernet() -> Fernet:
    override = getattr(settings, "BALLOT_KEY", "")
    if override:
        return Fernet(override.encode() if isinstance(override, str) else override)
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        settings.SECRET_KEY.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(choice: str) -> str:
    if choice not in CHOICES:
        raise ValueError(f"unknown choice {choice!r}")
    # Fixed time 0: the token must not carry the moment of casting.
    return _fernet().encrypt_at_time(choice.ljust(_PAD).encode(), 0).decode("ascii")


def unseal(token: str) -> str:
    try:
        choice = _fernet().decrypt(token.encode("ascii")).decode().strip()
    except InvalidToken as exc:
        raise ValueError("ballot cannot be unsealed with this key") from exc
    if choice not in CHOICES:
        raise ValueError("ballot holds an unknown choice")
    return choice


def ballot_record(*, round: VoteRound, user, choice: str) -> None:
    """Write the receipt and the sealed ballot. The caller holds the proposal lock and has checked
    eligibility; a second receipt for the member fails on the unique constraint."""
    BallotReceipt.objects.create(round=round, user=user)
    Ballot.objects.create(round=round, sealed=seal(choice))


def ballots_discard(*, round: VoteRound) -> None:
    BallotReceipt.objects.filter(round=round).delete()
    Ballot.objects.filter(round=round).delete()


def quorum_needed(incumbent: int, numerator: int, denominator: int) -> int:
    """At least numerator/denominator of the incumbent members: 2/3 of 11 is 7.33, so 8."""
    return math.ceil(incumbent * numerator / denominator) if incumbent else 0


def majority_needed(incumbent: int) -> int:
    """More than half of all incumbent members: 6 of 11, 6 of 10."""
    return incumbent // 2 + 1


@dataclass
class Tally:
    approve: int
    disapprove: int
    abstain: int

    @property
    def cast(self) -> int:
        return self.approve + self.disapprove + self.abstain


def ballots_unseal_and_shuffle(*, round: VoteRound) -> Tally:
    """Open the ballots of the round: unseal, delete, rewrite in random order, count."""
    choices = [
        unseal(b.sealed) if b.sealed else b.choice for b in Ballot.objects.filter(round=round)
    ]
    Ballot.objects.filter(round=round).delete()
    _rng.shuffle(choices)
    Ballot.objects.bulk_create(
        [Ballot(id=uuid.uuid4(), round=round, sealed="", choice=c) for c in choices]
    )
    return Tally(
        approve=choices.count(Ballot.Choice.APPROVE),
        disapprove=choices.count(Ballot.Choice.DISAPPROVE),
        abstain=choices.count(Ballot.Choice.ABSTAIN),
    )
