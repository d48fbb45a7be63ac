"""Province-scale data for the benchmarks, into the database named by DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports .venv/bin/python bench/make_data.py

One province with five districts and 150 commune-level units (125 under the districts, 25 directly
under the province, as after July 2025), 26 agencies, ~1,500 positions, 20,000 officials,
60,000 assignments (each official: two past posts and a current one), 10,000 proposals spread
over every state with their transition events, and two committees: the province's (150 units)
and district 1's (50 units), so that a report can be compared at two sizes.

Written with bulk_create: the workflow services are bypassed, so no eligibility check runs and
the proposals are not what the workflow would have produced step by step. The audit events are
written directly too, but hash-chained exactly as audit.services does it, so `verify_audit`
passes on this database. Fixed random seed: every build is the same.

Safe to run twice: it stops if the data is already there. It refuses a database that holds
anything but bench data, and an unset DATABASE_URL (never the development SQLite file). The
PostgreSQL database is created if missing, and migrated.
"""

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

MARKER = "BENCH"  # code of the province; its presence means "already built"
UTC = dt.UTC
SEED = 20240515
N_OFFICIALS = 20_000
N_PROPOSALS = 10_000
PAST_POSTS = 2  # per official, so assignments = 3 × officials


def ensure_database(url: str):
    """Create the PostgreSQL database named in the URL if it does not exist."""
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        return
    import psycopg

    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup():
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit(
            "DATABASE_URL is not set. Point it at a bench database, e.g. "
            "postgres://postgres@127.0.0.1:5432/bench_reports"
        )
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def is_built() -> bool:
    from personnel.models import OrgUnit

    return OrgUnit.objects.filter(code=MARKER).exists()


def refuse_foreign_data():
    """Stop unless every row of the registry and the workflow is ours."""
    from django.contrib.auth import get_user_model

    from audit.models import AuditEvent
    from personnel.models import Committee, Official, OrgUnit
    from workflow.models import RotationProposal

    foreign = {
        "units": OrgUnit.objects.exclude(code__startswith=MARKER).count(),
        "officials": Official.objects.exclude(external_id__startswith="bench-").count(),
        "users": get_user_model().objects.exclude(username__startswith="bench-").count(),
        "committees": Committee.objects.exclude(symbol="BENCH").count(),
        "proposals": 0 if is_built() else RotationProposal.objects.count(),
        "audit events": 0 if is_built() else AuditEvent.objects.count(),
    }
    foreign = {k: v for k, v in foreign.items() if v}
    if foreign:
        sys.exit(f"Refusing to write: this database holds data that is not bench data: {foreign}")


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Bùi", "Đinh", "Hà", "Lò", "Xa", "Quách", "Đỗ"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Sơn", "Tuấn"]
GIVEN_F = ["Hoa", "Hồng", "Lan", "Mai", "Ngân", "Phương", "Thảo", "Trang", "Yến", "Hạnh"]
COMMUNE_WORDS = ["Tân", "Đồng", "Hòa", "Yên", "Phú", "Thành", "Trung", "Mường", "Cao", "Tiền"]
COMMUNE_WORDS_2 = ["Lý", "Sơn", "Minh", "Phong", "Lương", "Chum", "Nưa", "Pheo", "Kết", "Ruộng"]


def build():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from audit.models import AuditChainHead, AuditEvent
    from audit.services import GENESIS, event_hash
    from lib.text import fold
    from personnel import models as pm
    from workflow.models import ProposalKind, RotationProposal
    from workflow.models import ProposalState as S

    rnd = random.Random(SEED)
    K = pm.OrgUnit.Kind
    started = time.perf_counter()
    now = dt.datetime.now(UTC).replace(microsecond=0)

    def tick(what):
        print(f"  {time.perf_counter() - started:6.1f}s  {what}")

    with transaction.atomic():
        # --- Units ----------------------------------------------------------------------------
        province = pm.OrgUnit.objects.create(kind=K.PROVINCE, code=MARKER, name="Tỉnh Thử Nghiệm")
        districts = [
            pm.OrgUnit.objects.create(
                kind=K.DISTRICT, code=f"{MARKER}-D{i}", name=f"Huyện Thử {i}", parent=province
            )
            for i in range(1, 6)
        ]
        # 50 communes in district 1, 25 in districts 2–4, none left in district 5 (merged),
        # 25 directly under the province.
        homes = [districts[0]] * 50 + [districts[1]] * 25 + [districts[2]] * 25
        homes += [districts[3]] * 25 + [province] * 25
        communes = []
        for i, parent in enumerate(homes, start=1):
            kind = K.TOWN if i % 17 == 0 else K.WARD if i % 23 == 0 else K.COMMUNE
            prefix = {K.TOWN: "Thị trấn", K.WARD: "Phường", K.COMMUNE: "Xã"}[kind]
            word = f"{COMMUNE_WORDS[i % 10]} {COMMUNE_WORDS_2[(i // 10) % 10]}"
            communes.append(
                pm.OrgUnit(
                    kind=kind,
                    code=f"{MARKER}-C{i:03d}",
                    name=f"{prefix} {word} {i}",
                    parent=parent,
                )
            )
        communes = pm.OrgUnit.objects.bulk_create(communes)
        agencies = []
        for parent in [province] * 6 + [d for d in districts for _ in range(4)]:
            agencies.append(
                pm.OrgUnit(
                    kind=K.AGENCY,
                    code=f"{MARKER}-A{len(agencies) + 1:02d}",
                    name=f"Cơ quan {len(agencies) + 1} ({parent.name})",
                    parent=parent,
                )
            )
        agencies = pm.OrgUnit.objects.bulk_create(agencies)
        tick(f"{len(communes)} commune-level units, {len(agencies)} agencies")

        # --- Titles and positions ---------------------------------------------------------------
        def title(code, name, level, order, **flags):
            return pm.PositionTitle.objects.create(
                code=f"{MARKER}-{code}", name=name, level=level, order=order, **flags
            )

        bt = title(
            "BT", "Bí thư Đảng ủy", 5, 1, is_standing=True, is_head=True, requires_non_local=True
        )
        pbt = title("PBT", "Phó Bí thư Thường trực Đảng ủy", 4, 2, is_standing=True)
        ct = title(
            "CT", "Phó Bí thư – Chủ tịch UBND", 4, 3, is_standing=True, requires_non_local=True
        )
        cthd = title("CTHD", "Chủ tịch HĐND", 4, 4, is_standing=True)
        pct = title("PCT", "Phó Chủ tịch UBND", 3, 5)
        pcthd = title("PCTHD", "Phó Chủ tịch HĐND", 3, 6)
        mttq = title("MTTQ", "Chủ tịch Ủy ban MTTQ", 3, 7)
        cc = title("CC", "Công chức", 1, 9)
        head = title("TB", "Trưởng ban", 4, 10, is_head=True)
        deputy = title("PTB", "Phó Trưởng ban", 3, 11)
        cv = title("CV", "Chuyên viên", 2, 12)
        dbt = title("DBT", "Bí thư Huyện ủy", 7, 20, is_head=True)
        dct = title("DCT", "Chủ tịch UBND huyện", 6, 21)

        positions = []
        for unit in communes:
            for t, seats in (
                (bt, 1),
                (pbt, 1),
                (ct, 1),
                (cthd, 1),
                (pct, 2),
                (pcthd, 1),
                (mttq, 1),
                (cc, 100),
            ):
                positions.append(
                    pm.Position(unit=unit, title=t, name=f"{t.name} {unit.name}", seats=seats)
                )
        for unit in agencies:
            for t, seats in ((head, 1), (deputy, 2), (cv, 150)):
                positions.append(
                    pm.Position(unit=unit, title=t, name=f"{t.name} {unit.name}", seats=seats)
                )
        for unit in districts:
            for t in (dbt, dct):
                positions.append(
                    pm.Position(unit=unit, title=t, name=f"{t.name} {unit.name}", seats=1)
                )
        positions = pm.Position.objects.bulk_create(positions, batch_size=2000)
        tick(f"{len(positions)} positions, {sum(p.seats for p in positions)} seats")

        # --- Officials and who holds what ---------------------------------------------------
        seats = [p for p in positions for _ in range(p.seats)]
        # Leave 5% of the single-seat posts vacant, then fill the rest in random order.
        singles = [p for p in seats if p.seats == 1]
        vacant = {p.id for p in rnd.sample(singles, len(singles) // 20)}
        seats = [p for p in seats if p.id not in vacant]
        rnd.shuffle(seats)
        # Leading posts first, so every standing post that is not vacant is held.
        seats.sort(key=lambda p: p.seats != 1)
        seats = seats[:N_OFFICIALS]
        assert len(seats) == N_OFFICIALS, "not enough seats for the officials"
        officials = []
        for i, position in enumerate(seats):
            female = rnd.random() < 0.35
            name = " ".join(
                (
                    rnd.choice(FAMILY),
                    rnd.choice(MIDDLE_F if female else MIDDLE_M),
                    rnd.choice(GIVEN_F if female else GIVEN_M),
                )
            )
            unit = position.unit
            if position.title.is_standing and rnd.random() < 0.62:
                home = unit  # a local person
            else:
                home = rnd.choice(communes) if rnd.random() < 0.9 else None
            birth = home if rnd.random() < 0.7 else rnd.choice(communes)
            officials.append(
                pm.Official(
                    external_id=f"bench-{i + 1:05d}",
                    full_name=name,
                    search_name=fold(name),
                    gender="female" if female else "male",
                    birth_date=dt.date(
                        rnd.randint(1966, 1996), rnd.randint(1, 12), rnd.randint(1, 28)
                    ),
                    hometown_unit=home,
                    birthplace_unit=birth,
                )
            )
        officials = pm.Official.objects.bulk_create(officials, batch_size=5000)
        tick(f"{len(officials)} officials")

        assignments = []
        current = {}
        for official, position in zip(officials, seats, strict=True):
            start = dt.date(rnd.randint(2012, 2024), rnd.randint(1, 12), rnd.randint(1, 28))
            end_before = start - dt.timedelta(days=1)
            past = []
            for _ in range(PAST_POSTS):
                length = rnd.randint(400, 1800)
                past_start = end_before - dt.timedelta(days=length)
                past.append(
                    pm.Assignment(
                        official=official,
                        position=rnd.choice(positions),
                        start=past_start,
                        end=end_before,
                    )
                )
                end_before = past_start - dt.timedelta(days=1)
            now_holding = pm.Assignment(official=official, position=position, start=start)
            current[official.id] = now_holding
            assignments += [*past, now_holding]
        pm.Assignment.objects.bulk_create(assignments, batch_size=5000)
        tick(f"{len(assignments)} assignments")

        # --- Users and committees -------------------------------------------------------------
        password = make_password("bench-only")
        User = get_user_model()
        users = {
            name: User.objects.create(username=f"bench-{name}", password=password)
            for name in (
                "chair",
                "deputy",
                "member",
                "board-head",
                "reviewer",
                "office",
                "proposer",
            )
        }
        term_start = dt.date(2010, 10, 1)
        committees = []
        for unit, name, place in (
            (province, "Ban Thường vụ Tỉnh ủy Thử Nghiệm", "Thử Nghiệm"),
            (districts[0], "Ban Thường vụ Huyện ủy Thử 1", "Thử 1"),
        ):
            committee = pm.Committee.objects.create(
                name=name,
                unit=unit,
                collective_name="BAN THƯỜNG VỤ",
                issuing_body_name=name.replace("Ban Thường vụ ", "").upper(),
                superior_body_name="ĐẢNG BỘ TỈNH THỬ NGHIỆM",
                symbol="BENCH",
                place_name=place,
            )
            committees.append(committee)
            for user, role in (
                (users["chair"], pm.CommitteeMember.Role.CHAIR),
                (users["deputy"], pm.CommitteeMember.Role.DEPUTY),
                (users["member"], pm.CommitteeMember.Role.MEMBER),
                (users["board-head"], pm.CommitteeMember.Role.MEMBER),
            ):
                pm.CommitteeMember.objects.create(
                    committee=committee, user=user, role=role, start=term_start
                )
            board = pm.Board.objects.create(committee=committee, name=f"Ban Tổ chức ({place})")
            pm.BoardMember.objects.create(
                board=board,
                user=users["board-head"],
                role=pm.BoardMember.Role.HEAD,
                start=term_start,
            )
            pm.BoardMember.objects.create(board=board, user=users["reviewer"], start=term_start)
            pm.CommitteeOfficeMember.objects.create(
                committee=committee, user=users["office"], start=term_start
            )
            pm.ProposerScope.objects.create(
                committee=committee, user=users["proposer"], unit=unit, start=term_start
            )
            for year in (2010, 2015, 2020, 2025):
                pm.Term.objects.create(
                    name=f"{year}–{year + 5}",
                    kind=pm.Term.Kind.PARTY,
                    committee=committee,
                    start=dt.date(year, 10, 1),
                    end=dt.date(year + 5, 9, 30),
                )
        tick("users, committees, boards, terms")

        # --- Proposals and their transitions ------------------------------------------------
        weights = {
            S.DRAFT: 8,
            S.SUBMITTED: 6,
            S.IN_REVIEW: 8,
            S.RETURNED: 4,
            S.ENDORSED: 5,
            S.VOTING: 3,
            S.APPROVED: 4,
            S.REJECTED: 6,
            S.WITHDRAWN: 5,
            S.ISSUED: 6,
            S.IN_EFFECT: 20,
            S.COMPLETED: 20,
            S.REVOKED: 2,
        }
        review = [(S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.IN_REVIEW)]
        to_vote = [*review, (S.IN_REVIEW, S.ENDORSED), (S.ENDORSED, S.VOTING)]
        decided = [*to_vote, (S.VOTING, S.APPROVED), (S.APPROVED, S.ISSUED)]
        paths = {
            S.DRAFT: [],
            S.SUBMITTED: review[:1],
            S.IN_REVIEW: review,
            S.RETURNED: [*review, (S.IN_REVIEW, S.RETURNED)],
            S.ENDORSED: to_vote[:3],
            S.VOTING: to_vote,
            S.APPROVED: decided[:5],
            S.REJECTED: [*review, (S.IN_REVIEW, S.REJECTED)],
            S.WITHDRAWN: [(S.DRAFT, S.WITHDRAWN)],
            S.ISSUED: decided,
            S.IN_EFFECT: [*decided, (S.ISSUED, S.IN_EFFECT)],
            S.COMPLETED: [*decided, (S.ISSUED, S.IN_EFFECT), (S.IN_EFFECT, S.COMPLETED)],
            S.REVOKED: [*decided, (S.ISSUED, S.REVOKED)],
        }
        loop = [(S.IN_REVIEW, S.RETURNED), (S.RETURNED, S.SUBMITTED), (S.SUBMITTED, S.IN_REVIEW)]
        targets = [
            p for p in positions if p.title.is_standing or p.title_id in (deputy.id, head.id)
        ]
        states = rnd.choices(list(weights), weights=list(weights.values()), k=N_PROPOSALS)
        chosen = rnd.sample(officials, N_PROPOSALS)
        # Proposals in district 1 go to its committee; the rest to the province's.
        district_units = {c.id for c in communes if c.parent_id == districts[0].id} | {
            districts[0].id
        }
        district_units |= {a.id for a in agencies if a.parent_id == districts[0].id}

        proposals, timelines = [], []
        for official, state in zip(chosen, states, strict=True):
            steps = list(paths[state])
            if (
                state in (S.ENDORSED, S.VOTING, S.APPROVED, S.ISSUED, S.IN_EFFECT, S.COMPLETED)
                and rnd.random() < 0.2
            ):
                steps[2:2] = loop  # sent back once and resubmitted
            gaps = [dt.timedelta(days=rnd.uniform(0.5, 45)) for _ in steps]
            if state in (S.IN_EFFECT, S.COMPLETED):
                # Decided in the past: the move took effect between 2021 and 2025.
                created = dt.datetime(2021, 1, 1, tzinfo=UTC) + dt.timedelta(
                    days=rnd.uniform(0, 1500)
                )
            else:
                waiting = dt.timedelta(days=rnd.uniform(1, 120))
                created = now - waiting - sum(gaps, dt.timedelta())
            moments, moment = [], created
            for gap in gaps:
                moment += gap
                moments.append(moment)
            issued_at = next(
                (m for (_f, t), m in zip(steps, moments, strict=True) if t == S.ISSUED), None
            )
            # A proposal names a date two to eight months ahead; a decision takes effect two to
            # six weeks after it is issued.
            if issued_at is not None:
                effective = (issued_at + dt.timedelta(days=rnd.uniform(14, 45))).date()
            else:
                effective = (created + dt.timedelta(days=rnd.uniform(60, 240))).date()
            posted_at = None
            if (S.ISSUED, S.IN_EFFECT) in steps:
                # Posted on the effective date; a completed rotation ended up to 36 months later.
                index = steps.index((S.ISSUED, S.IN_EFFECT))
                posted_at = moments[index] = dt.datetime.combine(effective, dt.time(1), tzinfo=UTC)
                if state == S.COMPLETED:
                    end = min(posted_at + dt.timedelta(days=36 * 30), now - dt.timedelta(days=1))
                    moments[-1] = max(end, posted_at + dt.timedelta(days=1))
            from_assignment = current[official.id]
            target = rnd.choice(targets)
            while target.unit_id == from_assignment.position.unit_id:
                target = rnd.choice(targets)
            in_district = (
                from_assignment.position.unit_id in district_units
                and target.unit_id in district_units
            )
            proposals.append(
                RotationProposal(
                    committee=committees[1] if in_district else committees[0],
                    kind=rnd.choice(list(ProposalKind)),
                    official=official,
                    from_assignment=from_assignment,
                    target_position=target,
                    effective_date=effective,
                    duration_months=36,
                    planned_end=effective + dt.timedelta(days=36 * 30),
                    rationale="Dữ liệu thử hiệu năng (bench data).",
                    author=users["proposer"],
                    reviewer=users["reviewer"] if len(steps) > 1 else None,
                    state=state,
                    posted_at=posted_at,
                    created_at=created,
                )
            )
            timelines.append(list(zip(steps, moments, strict=True)))
        # created_at is auto_now_add: let bulk_create keep the dates we chose.
        created_field = RotationProposal._meta.get_field("created_at")
        created_field.auto_now_add = False
        try:
            proposals = RotationProposal.objects.bulk_create(proposals, batch_size=2000)
        finally:
            created_field.auto_now_add = True
        tick(f"{len(proposals)} proposals")

        events = [
            AuditEvent(
                proposal_id=proposal.id,
                actor=users["reviewer"],
                at=moment,
                action="transition",
                from_state=from_state,
                to_state=to_state,
                comment="",
                data={},
            )
            for proposal, timeline in zip(proposals, timelines, strict=True)
            for (from_state, to_state), moment in timeline
        ]
        # The chain in time order, hashed as audit.services does.
        events.sort(key=lambda e: (e.at, e.proposal_id))
        prev = GENESIS
        for event in events:
            event.prev_hash = prev
            event.hash = prev = event_hash(event)
        AuditEvent.objects.bulk_create(events, batch_size=5000)
        AuditChainHead.objects.update_or_create(
            pk=1, defaults={"last_hash": prev, "count": len(events)}
        )
        tick(f"{len(events)} audit events, hash-chained")

    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses on tables it has never seen filled.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        tick("analyzed")


def main():
    setup()
    if is_built():
        refuse_foreign_data()
        print("Bench data already built: nothing to do.")
        return
    refuse_foreign_data()
    print("Building the bench data (one province, 150 commune-level units)…")
    build()
    print("Done.")


if __name__ == "__main__":
    main()
