"""The demo registry of SPEC §10: Đà Bắc district (Hòa Bình) as the May 2024 report describes it.

Every person is fictional. Every row is keyed on a stable natural key (unit code, title code,
username, the official's `external_id` "demo-…") and written through `upsert`, so a second run
changes nothing. Dates are fixed and in the past, with no end date in 2026–2030, so that the
facts below hold on any day of that window:

- 17 commune-level units with 4 posts each; 14 of them have a non-local standing member, and
  Trung Thành, Vầy Nưa and Đồng Ruộng do not;
- the post "Phó Bí thư Thường trực Đảng ủy xã Đồng Ruộng" is vacant (its holder retired in 2025);
- the town's three standing members came from Tú Lý through decisions 45–47-QĐ/HU of 2023.

`seed_demo` calls the `build_*` methods of `DemoBuilder` one section at a time; a later section
uses the lookups the builder keeps (`units`, `titles`, `positions`, `officials`, `users`,
`terms`, `committee`, `board`).

The workflow sections are built with the workflow's own services, so every step has its audit
event, as if people had clicked through it:

- the 2023 moves from Tú Lý to the town are proposals decided, issued as decisions 45–47-QĐ/HU
  and posted (the posting ends the Tú Lý posts and starts the town posts); the chairman's
  rotation has ended with the outcome "kept", the vice-chairman's is past its planned end and
  waits for the board to record the outcome;
- proposals wait in every state before the decision takes effect, so that every account has
  something in its inbox. Their effective dates are counted from the day of the first run, in
  the future; a proposal is keyed on its official, and a section whose proposal exists is left
  alone, so a second run changes nothing. None of them concerns canbo.dongruong or the vacant
  Đồng Ruộng post: the browser story proposes that move live.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password

from documents.models import DocumentProfile, LegalBasis, NumberSeries
from lib.dates import parse_date
from lib.text import fold
from personnel.models import (
    Assignment,
    Board,
    BoardMember,
    Committee,
    CommitteeMember,
    CommitteeOfficeMember,
    Official,
    OrgUnit,
    PlanningEntry,
    Position,
    PositionTitle,
    ProposerScope,
    Term,
)
from personnel.roles import Actor
from personnel.services import position_default_name, upsert
from workflow import services as workflow
from workflow.models import ProposalKind, ProposalState, RotationProposal

DEMO_PASSWORD = "demo"
EMAIL_DOMAIN = "dabac.example"

K = OrgUnit.Kind

# --- Units ------------------------------------------------------------------------------------

PROVINCE = "hoabinh"
DISTRICT = "dabac"

# code, name, kind, parent code. Units outside Đà Bắc give non-local people a real hometown.
OTHER_UNITS = [
    (PROVINCE, "Tỉnh Hòa Bình", K.PROVINCE, None),
    (DISTRICT, "Huyện Đà Bắc", K.DISTRICT, PROVINCE),
    ("kyson", "Huyện Kỳ Sơn", K.DISTRICT, PROVINCE),
    ("maichau", "Huyện Mai Châu", K.DISTRICT, PROVINCE),
    ("tp-hoabinh", "Thành phố Hòa Bình", K.DISTRICT, PROVINCE),
    ("phutho", "Tỉnh Phú Thọ", K.PROVINCE, None),
    ("dabac-bantochuc", "Ban Tổ chức Huyện ủy", K.AGENCY, DISTRICT),
    ("dabac-vanphong", "Văn phòng Huyện ủy", K.AGENCY, DISTRICT),
    ("dabac-bantuyengiao", "Ban Tuyên giáo Huyện ủy", K.AGENCY, DISTRICT),
]

# The 17 commune-level units of the report, in its order.
COMMUNES = [
    ("dabac-thitran", "Thị trấn Đà Bắc", K.TOWN),
    ("dabac-tuly", "Xã Tú Lý", K.COMMUNE),
    ("dabac-toanson", "Xã Toàn Sơn", K.COMMUNE),
    ("dabac-hienluong", "Xã Hiền Lương", K.COMMUNE),
    ("dabac-tienphong", "Xã Tiền Phong", K.COMMUNE),
    ("dabac-vaynua", "Xã Vầy Nưa", K.COMMUNE),
    ("dabac-caoson", "Xã Cao Sơn", K.COMMUNE),
    ("dabac-doanket", "Xã Đoàn Kết", K.COMMUNE),
    ("dabac-dongchum", "Xã Đồng Chum", K.COMMUNE),
    ("dabac-giapdat", "Xã Giáp Đắt", K.COMMUNE),
    ("dabac-muongchieng", "Xã Mường Chiềng", K.COMMUNE),
    ("dabac-nanhnghe", "Xã Nánh Nghê", K.COMMUNE),
    ("dabac-tanminh", "Xã Tân Minh", K.COMMUNE),
    ("dabac-tanpheo", "Xã Tân Pheo", K.COMMUNE),
    ("dabac-trungthanh", "Xã Trung Thành", K.COMMUNE),
    ("dabac-yenhoa", "Xã Yên Hòa", K.COMMUNE),
    ("dabac-dongruong", "Xã Đồng Ruộng", K.COMMUNE),
]

# --- Titles -----------------------------------------------------------------------------------

SECRETARY = "bi-thu-dang-uy"
STANDING_DEPUTY = "pbt-thuong-truc"
CHAIRMAN = "pbt-chu-tich"
VICE_CHAIRMAN = "pho-chu-tich"
COMMUNE_TITLES = (SECRETARY, STANDING_DEPUTY, CHAIRMAN, VICE_CHAIRMAN)

# code, name, level, standing, must be non-local, head. Bí thư is highest; the two Phó Bí thư
# posts are equal; district posts sit above commune posts of the same rank.
TITLES = [
    (SECRETARY, "Bí thư Đảng ủy", 3, True, True, True),
    (STANDING_DEPUTY, "Phó Bí thư Thường trực Đảng ủy", 2, True, False, False),
    (CHAIRMAN, "Phó Bí thư – Chủ tịch UBND", 2, True, True, True),
    (VICE_CHAIRMAN, "Phó Chủ tịch UBND", 1, False, False, False),
    ("bi-thu-huyen-uy", "Bí thư Huyện ủy", 6, True, True, True),
    ("pbt-tt-huyen-uy", "Phó Bí thư Thường trực Huyện ủy", 5, True, False, False),
    ("pbt-ct-huyen", "Phó Bí thư Huyện ủy – Chủ tịch UBND huyện", 5, True, True, True),
    ("uv-btv-huyen-uy", "Ủy viên Ban Thường vụ Huyện ủy", 4, False, False, False),
    ("truong-ban", "Trưởng Ban", 3, False, False, True),
    ("pho-truong-ban", "Phó Trưởng Ban", 2, False, False, False),
    ("chuyen-vien", "Chuyên viên", 1, False, False, False),
]

# District posts: unit code, title code, name, seats.
DISTRICT_POSTS = [
    (DISTRICT, "bi-thu-huyen-uy", "Bí thư Huyện ủy Đà Bắc", 1),
    (DISTRICT, "pbt-tt-huyen-uy", "Phó Bí thư Thường trực Huyện ủy Đà Bắc", 1),
    (DISTRICT, "pbt-ct-huyen", "Phó Bí thư Huyện ủy – Chủ tịch UBND huyện Đà Bắc", 1),
    (DISTRICT, "uv-btv-huyen-uy", "Ủy viên Ban Thường vụ Huyện ủy Đà Bắc", 8),
    ("dabac-bantochuc", "truong-ban", "Trưởng Ban Tổ chức Huyện ủy", 1),
    ("dabac-bantochuc", "pho-truong-ban", "Phó Trưởng Ban Tổ chức Huyện ủy", 2),
    ("dabac-bantochuc", "chuyen-vien", "Chuyên viên Ban Tổ chức Huyện ủy", 3),
    ("dabac-vanphong", "chuyen-vien", "Chuyên viên Văn phòng Huyện ủy", 3),
    ("dabac-bantuyengiao", "pho-truong-ban", "Phó Trưởng Ban Tuyên giáo Huyện ủy", 2),
]

# --- Terms ------------------------------------------------------------------------------------

PARTY_2020, PARTY_2025 = "party 2020–2025", "party 2025–2030"
COUNCIL_2021, COUNCIL_2026 = "council 2021–2026", "council 2026–2031"


def _d(text: str) -> dt.date:
    return parse_date(text)


# key, name, kind, belongs to the committee, start, end
TERMS = [
    (PARTY_2020, "2020–2025", Term.Kind.PARTY, True, "01/08/2020", "31/07/2025"),
    (PARTY_2025, "2025–2030", Term.Kind.PARTY, True, "01/08/2025", "31/07/2030"),
    (COUNCIL_2021, "2021–2026", Term.Kind.COUNCIL, False, "01/07/2021", "30/06/2026"),
    (COUNCIL_2026, "2026–2031", Term.Kind.COUNCIL, False, "01/07/2026", "30/06/2031"),
]

# --- People -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    full_name: str
    gender: str  # "m" / "f"
    born: str  # dd/mm/yyyy
    ethnicity: str
    home: str = ""  # unit code of hometown and birthplace; "" = the unit the post is in
    start: str = ""  # first day in the current post
    ref: str = ""  # decision that made the current assignment
    login: str = ""  # username, for the officials who log in

    @property
    def key(self) -> str:
        return "demo-" + "-".join(fold(self.full_name).split())


PARTY_START = "01/09/2020"  # commune Party congresses, 2020
COUNCIL_START = "01/07/2021"  # People's Councils elected in 2021 chose their chairmen


def _commune(secretary, standing_deputy, chairman, vice_chairman):
    """The four posts of a commune in COMMUNE_TITLES order; None = vacant."""
    posts = dict(
        zip(COMMUNE_TITLES, (secretary, standing_deputy, chairman, vice_chairman), strict=True)
    )
    defaults = {SECRETARY: PARTY_START, STANDING_DEPUTY: PARTY_START}
    return {
        title: p and replace(p, start=p.start or defaults.get(title, COUNCIL_START))
        for title, p in posts.items()
    }


P = Person
# Current holders. A `home` outside the unit makes the holder non-local there.
COMMUNE_HOLDERS = {
    # The three standing members' posts here are made by posting decisions 45–47 (HISTORY_MOVES).
    "dabac-thitran": _commune(
        P("Xa Văn Hùng", "m", "12/03/1972", "Tày", "dabac-tuly", "01/07/2023", "Số 45-QĐ/HU"),
        P("Bùi Thị Nhung", "f", "05/09/1980", "Mường", "dabac-tuly", "01/07/2023", "Số 46-QĐ/HU"),
        P("Đinh Văn Quyết", "m", "21/11/1978", "Mường", "dabac-tuly", "01/07/2023", "Số 47-QĐ/HU"),
        P("Nguyễn Thị Thanh Tâm", "f", "14/02/1983", "Kinh"),
    ),
    "dabac-tuly": _commune(
        P("Lê Văn Dũng", "m", "08/06/1976", "Kinh", "kyson", "01/07/2023", "Số 48-QĐ/HU"),
        P("Xa Văn Bình", "m", "17/04/1974", "Tày"),
        P("Xa Văn Đông", "m", "30/10/1981", "Tày", start="01/07/2023"),
        P("Lò Văn Chiến", "m", "03/01/1984", "Thái", start="01/07/2023", login="canbo.tuly"),
    ),
    "dabac-toanson": _commune(
        P("Quách Văn Long", "m", "25/07/1973", "Mường", "dabac-tienphong", "15/03/2022",
          "Số 12-QĐ/HU"),
        P("Bùi Văn Sơn", "m", "09/12/1977", "Mường"),
        P("Đinh Văn Hải", "m", "19/05/1979", "Mường"),
        P("Bùi Thị Hoa", "f", "11/08/1985", "Mường", login="canbo.toanson"),
    ),
    "dabac-hienluong": _commune(
        P("Hà Văn Cường", "m", "02/02/1971", "Tày"),
        P("Xa Thị Thúy", "f", "23/03/1984", "Tày", login="canbo.hienluong"),
        P("Nguyễn Đức Thịnh", "m", "16/10/1978", "Kinh", "maichau", "01/08/2022", "Số 20-QĐ/HU"),
        P("Lò Văn Hòa", "m", "07/07/1982", "Thái"),
    ),
    "dabac-tienphong": _commune(
        P("Trần Văn Khánh", "m", "28/01/1975", "Kinh", "tp-hoabinh", "01/10/2021", "Số 08-QĐ/HU"),
        P("Đinh Thị Lan", "f", "13/06/1979", "Mường"),
        P("Bùi Văn Tùng", "m", "04/04/1976", "Mường"),
        P("Xa Văn Thái", "m", "20/09/1986", "Tày"),
    ),
    "dabac-vaynua": _commune(
        P("Lò Văn Thanh", "m", "15/05/1972", "Thái"),
        P("Lường Văn Hiếu", "m", "27/08/1978", "Thái"),
        P("Lò Thị Hạnh", "f", "10/11/1981", "Thái"),
        P("Lường Văn Tâm", "m", "06/03/1987", "Thái"),
    ),
    "dabac-caoson": _commune(
        P("Bàn Văn Quý", "m", "18/12/1974", "Dao", "dabac-tanminh", "15/03/2022", "Số 13-QĐ/HU"),
        P("Triệu Văn Kiên", "m", "01/06/1979", "Dao"),
        P("Bàn Thị Xuân", "f", "22/02/1982", "Dao"),
        P("Triệu Văn Nguyên", "m", "29/09/1985", "Dao"),
    ),
    "dabac-doanket": _commune(
        P("Phạm Văn Hưng", "m", "11/11/1973", "Kinh", "kyson", "01/10/2021", "Số 09-QĐ/HU"),
        P("Đinh Văn Thắng", "m", "08/08/1976", "Mường"),
        P("Hà Văn Tuấn", "m", "14/01/1980", "Tày", "dabac-yenhoa", "01/08/2022", "Số 21-QĐ/HU"),
        P("Đinh Thị Hiền", "f", "25/12/1984", "Mường"),
    ),
    "dabac-dongchum": _commune(
        P("Xa Văn Chung", "m", "03/03/1971", "Tày"),
        P("Xa Thị Liên", "f", "19/07/1977", "Tày"),
        P("Nguyễn Văn Phong", "m", "12/05/1979", "Kinh", "phutho", "01/08/2022", "Số 22-QĐ/HU"),
        P("Xa Văn Hợp", "m", "30/04/1983", "Tày"),
    ),
    "dabac-giapdat": _commune(
        P("Đinh Công Trường", "m", "09/09/1972", "Mường", "dabac-caoson", "15/03/2022",
          "Số 14-QĐ/HU"),
        P("Bàn Văn Sinh", "m", "21/02/1978", "Dao"),
        P("Triệu Thị Mây", "f", "05/10/1981", "Dao"),
        P("Bàn Văn Lợi", "m", "17/06/1986", "Dao"),
    ),
    "dabac-muongchieng": _commune(
        P("Hoàng Đức Thuận", "m", "26/03/1974", "Tày", "maichau", "01/10/2021", "Số 10-QĐ/HU"),
        P("Xa Văn Nghĩa", "m", "13/12/1977", "Tày"),
        P("Đinh Văn Mạnh", "m", "02/08/1980", "Mường"),
        P("Xa Thị Hồng", "f", "24/01/1985", "Tày"),
    ),
    "dabac-nanhnghe": _commune(
        P("Bùi Văn Thuật", "m", "07/05/1972", "Mường"),
        P("Đinh Văn Hưởng", "m", "18/11/1981", "Mường", "dabac-tuly", "01/08/2022", "Số 23-QĐ/HU"),
        P("Bùi Văn Quang", "m", "29/06/1979", "Mường"),
        P("Bùi Thị Loan", "f", "10/03/1986", "Mường"),
    ),
    "dabac-tanminh": _commune(
        P("Vũ Văn Huy", "m", "15/09/1975", "Kinh", "tp-hoabinh", "01/10/2021", "Số 11-QĐ/HU"),
        P("Triệu Văn Dương", "m", "04/07/1978", "Dao"),
        P("Đặng Văn Tài", "m", "20/12/1980", "Dao"),
        P("Triệu Thị Nga", "f", "08/02/1987", "Dao"),
    ),
    "dabac-tanpheo": _commune(
        P("Đặng Văn Lâm", "m", "31/01/1973", "Dao", "dabac-doanket", "15/03/2022", "Số 15-QĐ/HU"),
        P("Bàn Văn Tư", "m", "16/04/1979", "Dao"),
        P("Đặng Văn Hoàng", "m", "27/10/1982", "Dao"),
        P("Bàn Thị Thu", "f", "12/12/1986", "Dao"),
    ),
    "dabac-trungthanh": _commune(
        P("Đinh Văn Bảo", "m", "22/06/1971", "Mường"),
        P("Bùi Văn Định", "m", "05/02/1976", "Mường"),
        P("Đinh Văn Luân", "m", "18/08/1979", "Mường"),
        P("Bùi Thị Phượng", "f", "09/05/1984", "Mường"),
    ),
    "dabac-yenhoa": _commune(
        P("Nguyễn Văn Sang", "m", "14/10/1974", "Kinh", "kyson", "15/03/2022", "Số 16-QĐ/HU"),
        P("Xa Văn Phương", "m", "03/12/1977", "Tày"),
        P("Hà Văn Dũng", "m", "28/03/1980", "Tày"),
        P("Xa Thị Dung", "f", "17/07/1986", "Tày"),
    ),
    "dabac-dongruong": _commune(
        P("Lò Văn Tình", "m", "11/04/1972", "Thái"),
        None,  # Phó Bí thư Thường trực: vacant since Hà Văn Thọ retired
        P("Lò Văn Khang", "m", "23/09/1980", "Thái"),
        P("Lò Thị Ngân", "f", "06/06/1985", "Thái"),
    ),
}  # fmt: skip

# Someone who holds no post today: the Đồng Ruộng standing deputy, retired on 31/07/2025.
FORMER = [P("Hà Văn Thọ", "m", "10/04/1964", "Tày", "dabac-dongruong")]

# Ended assignments: official key (by name), unit, title, start, end, decision. (The town's
# three standing members' Tú Lý posts end through the workflow: HISTORY_MOVES below.)
HISTORY = [
    ("Hà Văn Thọ", "dabac-dongruong", STANDING_DEPUTY, "01/09/2015", "31/07/2025", ""),
]

CONGRESS = "20/08/2020"  # the district Party congress that elected the Standing Committee


@dataclass(frozen=True)
class DistrictPerson:
    login: str
    person: Person
    posts: tuple  # (unit code, title code, start, concurrent)


def _dp(login, name, gender, born, ethnicity, home, *posts):
    return DistrictPerson(login, Person(name, gender, born, ethnicity, home, login=login), posts)


UV = (DISTRICT, "uv-btv-huyen-uy", CONGRESS, False)
DISTRICT_PEOPLE = [
    _dp("btv01", "Nguyễn Quang Minh", "m", "15/08/1970", "Kinh", "tp-hoabinh",
        (DISTRICT, "bi-thu-huyen-uy", CONGRESS, False)),
    _dp("btv02", "Xa Văn Thành", "m", "02/05/1972", "Tày", "dabac-dongchum",
        (DISTRICT, "pbt-tt-huyen-uy", CONGRESS, False)),
    _dp("btv03", "Bùi Đức Hạnh", "m", "11/01/1974", "Mường", "dabac-toanson",
        (DISTRICT, "pbt-ct-huyen", COUNCIL_START, False)),
    _dp("btv04", "Đinh Thị Hương", "f", "30/06/1976", "Mường", "dabac-tienphong", UV),
    _dp("btv05", "Hà Văn Khải", "m", "19/03/1973", "Tày", "dabac-hienluong", UV),
    _dp("btv06", "Lò Văn Tiến", "m", "07/10/1975", "Thái", "dabac-vaynua", UV),
    _dp("btv07", "Quách Thị Ngọc", "f", "24/12/1978", "Mường", "kyson", UV),
    _dp("btv08", "Triệu Văn Phúc", "m", "05/05/1977", "Dao", "dabac-tanminh", UV),
    _dp("btv09", "Lê Hoàng Nam", "m", "13/09/1979", "Kinh", "tp-hoabinh", UV),
    _dp("btv10", "Sa Văn Lực", "m", "28/02/1980", "Tày", "dabac-yenhoa", UV),
    _dp("board.head", "Phạm Thị Thu Hà", "f", "16/04/1975", "Kinh", "maichau",
        ("dabac-bantochuc", "truong-ban", CONGRESS, False),
        (DISTRICT, "uv-btv-huyen-uy", CONGRESS, True)),
    _dp("board.a", "Đinh Văn Toàn", "m", "09/07/1980", "Mường", "dabac-giapdat",
        ("dabac-bantochuc", "pho-truong-ban", "01/03/2021", False)),
    _dp("board.b", "Hoàng Thị Lan", "f", "21/11/1982", "Tày", "dabac-muongchieng",
        ("dabac-bantochuc", "pho-truong-ban", "01/03/2021", False)),
    _dp("proposer.district", "Bùi Thị Hằng", "f", "03/03/1988", "Mường", "dabac-thitran",
        ("dabac-bantochuc", "chuyen-vien", "01/03/2021", False)),
    _dp("office", "Nguyễn Văn Đạt", "m", "27/09/1985", "Kinh", "dabac-thitran",
        ("dabac-vanphong", "chuyen-vien", "01/03/2021", False)),
    # In the planning for Phó Bí thư, from Kỳ Sơn: eligible for the vacant Đồng Ruộng post.
    _dp("canbo.dongruong", "Trần Minh Tuấn", "m", "12/12/1986", "Kinh", "kyson",
        ("dabac-bantuyengiao", "pho-truong-ban", "01/06/2021", False)),
]  # fmt: skip

# Planning (quy hoạch): official name, title, term, decision.
PLANNING = [
    ("Trần Minh Tuấn", STANDING_DEPUTY, PARTY_2020, "Số 35-QĐ/HU"),
    ("Trần Minh Tuấn", STANDING_DEPUTY, PARTY_2025, "Số 120-QĐ/HU"),
    ("Xa Thị Thúy", SECRETARY, PARTY_2025, "Số 120-QĐ/HU"),
    ("Bùi Thị Hoa", CHAIRMAN, PARTY_2025, "Số 120-QĐ/HU"),
    ("Lò Văn Chiến", CHAIRMAN, PARTY_2025, "Số 120-QĐ/HU"),
    ("Xa Văn Bình", SECRETARY, PARTY_2020, "Số 35-QĐ/HU"),
    ("Xa Văn Bình", SECRETARY, PARTY_2025, "Số 120-QĐ/HU"),
    ("Đinh Văn Toàn", "truong-ban", PARTY_2025, "Số 120-QĐ/HU"),
    # The subjects of the demo proposals that are rotations.
    ("Bùi Thị Nhung", STANDING_DEPUTY, PARTY_2020, "Số 35-QĐ/HU"),
    ("Đinh Văn Quyết", CHAIRMAN, PARTY_2020, "Số 35-QĐ/HU"),
    ("Hà Văn Tuấn", CHAIRMAN, PARTY_2025, "Số 120-QĐ/HU"),
    ("Nguyễn Văn Phong", SECRETARY, PARTY_2025, "Số 120-QĐ/HU"),
    ("Đinh Văn Hưởng", STANDING_DEPUTY, PARTY_2025, "Số 120-QĐ/HU"),
    ("Nguyễn Đức Thịnh", STANDING_DEPUTY, PARTY_2025, "Số 120-QĐ/HU"),
]

# --- Proposals ------------------------------------------------------------------------------

S = ProposalState
ROTATION, TRANSFER = ProposalKind.ROTATION, ProposalKind.TRANSFER

# Ballots of a decided vote: the 11 members, in this order, with these choices.
VOTERS = (*(f"btv{n:02d}" for n in range(1, 11)), "board.head")
DECIDED_BALLOTS = tuple(
    zip(VOTERS, ("approve",) * 8 + ("abstain", "approve", "disapprove"), strict=True)
)


@dataclass(frozen=True)
class DemoProposal:
    """One proposal of the demo, driven with the services up to `state`."""

    official: str  # full name
    state: str
    kind: str
    to: tuple  # (unit code, title code) of the target post
    rationale: str
    months: int | None = 36
    # Days from the first run (pending proposals) or a fixed date (the 2023 history).
    effective_in_days: int = 0
    effective: str = ""
    issued: str = ""  # the decision's date; "" = the day of the run
    justification: str = ""  # for a higher post
    author: str = "proposer.district"
    reviewer: str = "board.a"
    opinion: str = "Đủ tiêu chuẩn, điều kiện; đề nghị trình Ban Thường vụ xem xét."
    return_comment: str = ""
    ballots: tuple = DECIDED_BALLOTS
    outcome: str = ""
    outcome_comment: str = ""
    leaves: tuple = ()  # (unit code, title code, start): the post left, for the 2023 history


# The report: the town's secretary came from Tú Lý by transfer, the chairman and a
# vice-chairman by rotation. The registry holds their Tú Lý posts; the posting of decisions
# 45–47-QĐ/HU (numbered after the 44 decisions of the term issued on paper) ends them on
# 30/06/2023 and starts the town posts on 01/07/2023.
HISTORY_FIRST_NUMBER = 45
HISTORY_MOVES = [
    DemoProposal("Xa Văn Hùng", S.IN_EFFECT, TRANSFER, ("dabac-thitran", SECRETARY),
        "Điều động đồng chí Bí thư Đảng ủy xã Tú Lý giữ chức Bí thư Đảng ủy thị trấn Đà Bắc, "
        "bố trí Bí thư không là người địa phương theo Nghị quyết 03-NQ/HU.",
        months=None, effective="01/07/2023", issued="20/06/2023",
        leaves=("dabac-tuly", SECRETARY, "01/09/2020"),
    ),
    DemoProposal("Bùi Thị Nhung", S.IN_EFFECT, ROTATION, ("dabac-thitran", STANDING_DEPUTY),
        "Luân chuyển cán bộ trong quy hoạch Phó Bí thư Thường trực về thị trấn Đà Bắc để rèn "
        "luyện, thử thách qua thực tiễn.",
        effective="01/07/2023", issued="20/06/2023",
        justification="Đồng chí trong quy hoạch Phó Bí thư Thường trực nhiệm kỳ 2020 - 2025, "
            "hoàn thành xuất sắc nhiệm vụ Phó Chủ tịch UBND xã Tú Lý.",
        leaves=("dabac-tuly", VICE_CHAIRMAN, "01/07/2021"),
    ),
    DemoProposal("Đinh Văn Quyết", S.COMPLETED, ROTATION, ("dabac-thitran", CHAIRMAN),
        "Luân chuyển Chủ tịch UBND xã Tú Lý giữ chức Phó Bí thư – Chủ tịch UBND thị trấn Đà "
        "Bắc, bố trí Chủ tịch UBND không là người địa phương.",
        effective="01/07/2023", issued="20/06/2023",
        leaves=("dabac-tuly", CHAIRMAN, "01/07/2021"), outcome="kept",
        outcome_comment="Hết thời hạn luân chuyển; Ban Thường vụ quyết định để đồng chí ở lại "
            "công tác ổn định tại thị trấn Đà Bắc.",
    ),
]  # fmt: skip

MOVED_BY_DEMO_DECISIONS = {move.official for move in HISTORY_MOVES}

# Proposals waiting in every state before the decision takes effect; each account has a part in
# one of them. Xa Văn Bình and Xa Thị Thúy change places (the approved and the issued one).
PENDING_PROPOSALS = [
    # canbo.tuly
    DemoProposal("Lò Văn Chiến", S.DRAFT, ROTATION, ("dabac-vaynua", CHAIRMAN),
        "Luân chuyển cán bộ trong quy hoạch Phó Bí thư – Chủ tịch UBND về xã Vầy Nưa, nơi chưa "
        "có đồng chí thường trực không là người địa phương.",
        effective_in_days=90,
        justification="Đồng chí trong quy hoạch Phó Bí thư – Chủ tịch UBND nhiệm kỳ 2025 - "
            "2030, có năng lực nổi trội.",
        author="proposer.tuly",
    ),
    DemoProposal("Hà Văn Tuấn", S.SUBMITTED, ROTATION, ("dabac-trungthanh", CHAIRMAN),
        "Luân chuyển Chủ tịch UBND xã Đoàn Kết về xã Trung Thành, bố trí Chủ tịch UBND không "
        "là người địa phương.",
        effective_in_days=90,
    ),
    DemoProposal("Nguyễn Văn Phong", S.IN_REVIEW, ROTATION, ("dabac-vaynua", SECRETARY),
        "Luân chuyển Chủ tịch UBND xã Đồng Chum giữ chức Bí thư Đảng ủy xã Vầy Nưa, bố trí Bí "
        "thư không là người địa phương.",
        effective_in_days=90,
        justification="Đồng chí trong quy hoạch Bí thư Đảng ủy nhiệm kỳ 2025 - 2030.",
    ),
    DemoProposal("Triệu Văn Kiên", S.RETURNED, ROTATION, ("dabac-yenhoa", STANDING_DEPUTY),
        "Luân chuyển Phó Bí thư Thường trực Đảng ủy xã Cao Sơn về xã Yên Hòa.",
        effective_in_days=90, reviewer="board.b",
        return_comment="Đồng chí chưa có trong quy hoạch Phó Bí thư Thường trực nhiệm kỳ 2025 - "
            "2030; đề nghị bổ sung quyết định quy hoạch hoặc đề xuất cán bộ khác.",
    ),
    DemoProposal("Đinh Văn Hưởng", S.ENDORSED, ROTATION, ("dabac-trungthanh", STANDING_DEPUTY),
        "Luân chuyển Phó Bí thư Thường trực Đảng ủy xã Nánh Nghê về xã Trung Thành.",
        effective_in_days=60, reviewer="board.b",
    ),
    DemoProposal("Hoàng Đức Thuận", S.VOTING, TRANSFER, ("dabac-trungthanh", SECRETARY),
        "Điều động Bí thư Đảng ủy xã Mường Chiềng giữ chức Bí thư Đảng ủy xã Trung Thành, bố "
        "trí Bí thư không là người địa phương.",
        months=None, effective_in_days=60,
        # Eight ballots: the quorum is reached and the chair may close the vote.
        ballots=tuple(zip((f"btv{n:02d}" for n in range(3, 11)),
                          ("approve",) * 6 + ("abstain", "approve"), strict=True)),
    ),
    DemoProposal("Nguyễn Đức Thịnh", S.VOTING, ROTATION, ("dabac-vaynua", STANDING_DEPUTY),
        "Luân chuyển Chủ tịch UBND xã Hiền Lương giữ chức Phó Bí thư Thường trực Đảng ủy xã "
        "Vầy Nưa.",
        effective_in_days=60, reviewer="board.b",
        ballots=(("board.head", "approve"),),  # just opened: one ballot so far
    ),
    # canbo.hienluong
    DemoProposal("Xa Thị Thúy", S.APPROVED, TRANSFER, ("dabac-tuly", STANDING_DEPUTY),
        "Điều động Phó Bí thư Thường trực Đảng ủy xã Hiền Lương về xã Tú Lý, đổi chỗ với đồng "
        "chí Xa Văn Bình.",
        months=None, effective_in_days=30,
    ),
    DemoProposal("Xa Văn Bình", S.ISSUED, TRANSFER, ("dabac-hienluong", STANDING_DEPUTY),
        "Điều động Phó Bí thư Thường trực Đảng ủy xã Tú Lý về xã Hiền Lương, đổi chỗ với đồng "
        "chí Xa Thị Thúy.",
        months=None, effective_in_days=30,
    ),
    # canbo.toanson
    DemoProposal("Bùi Thị Hoa", S.ISSUED, ROTATION, ("dabac-bantuyengiao", "pho-truong-ban"),
        "Luân chuyển Phó Chủ tịch UBND xã Toàn Sơn về Ban Tuyên giáo Huyện ủy để đào tạo, "
        "rèn luyện ở cấp huyện.",
        effective_in_days=30,
        justification="Đồng chí trong quy hoạch Phó Bí thư – Chủ tịch UBND nhiệm kỳ 2025 - 2030.",
    ),
]  # fmt: skip


# --- Decision letters ---------------------------------------------------------------------------

ALL_KINDS = ("rotation", "transfer", "secondment")
# text, valid from, valid to, kinds, order. Texts are replaced over time (QĐ 98 → QĐ 65 on
# rotation; QĐ 105 → QĐ 80 → QĐ 377 on delegation); a letter cites those in force on its date.
LEGAL_BASES = [
    ("Căn cứ Điều lệ Đảng", "", "", ALL_KINDS, 10),
    ("Căn cứ Quy định số 98-QĐ/TW, ngày 07/10/2017 của Bộ Chính trị về luân chuyển cán bộ",
     "07/10/2017", "27/04/2022", ("rotation",), 20),
    ("Căn cứ Quy định số 65-QĐ/TW, ngày 28/4/2022 của Bộ Chính trị về luân chuyển cán bộ",
     "28/04/2022", "", ("rotation",), 20),
    ("Căn cứ Quy chế làm việc của Ban Chấp hành Đảng bộ huyện Đà Bắc nhiệm kỳ 2020 - 2025",
     "01/08/2020", "31/07/2025", ALL_KINDS, 30),
    ("Căn cứ Quy chế làm việc của Ban Chấp hành Đảng bộ huyện Đà Bắc nhiệm kỳ 2025 - 2030",
     "01/08/2025", "", ALL_KINDS, 30),
    ("Căn cứ Quy định số 105-QĐ/TW, ngày 19/12/2017 của Bộ Chính trị về phân cấp quản lý "
     "cán bộ và bổ nhiệm, giới thiệu cán bộ ứng cử",
     "19/12/2017", "17/08/2022", ALL_KINDS, 40),
    ("Căn cứ Quy định số 80-QĐ/TW, ngày 18/8/2022 của Bộ Chính trị về phân cấp quản lý cán "
     "bộ và bổ nhiệm, giới thiệu cán bộ ứng cử",
     "18/08/2022", "07/10/2025", ALL_KINDS, 40),
    ("Căn cứ Quy định số 377-QĐ/TW, ngày 08/10/2025 của Bộ Chính trị về phân cấp quản lý cán "
     "bộ và quy hoạch, bổ nhiệm, giới thiệu ứng cử, tạm đình chỉ công tác, cho thôi giữ chức "
     "vụ, từ chức, miễn nhiệm đối với cán bộ",
     "08/10/2025", "", ALL_KINDS, 40),
]  # fmt: skip

# --- Accounts ---------------------------------------------------------------------------------

# username → what the account is for (printed by seed_demo). Roles come from the membership
# rows built below, never from these names.
ACCOUNTS = {
    "admin": "Quản trị hệ thống",
    "proposer.district": "Đề xuất cho toàn huyện, chuyên viên Ban Tổ chức",
    "proposer.tuly": "Đề xuất cho xã Tú Lý",
    "board.head": "Trưởng Ban Tổ chức Huyện ủy, Ủy viên BTV",
    "board.a": "Phó Trưởng Ban Tổ chức, thẩm định",
    "board.b": "Phó Trưởng Ban Tổ chức, thẩm định",
    "btv01": "Bí thư Huyện ủy, chủ trì BTV",
    "btv02": "Phó Bí thư Thường trực Huyện ủy",
    **{f"btv{n:02d}": "Ủy viên Ban Thường vụ Huyện ủy" for n in range(3, 11)},
    "office": "Văn phòng Huyện ủy",
    "canbo.dongruong": "Cán bộ huyện trong quy hoạch Phó Bí thư, có thể luân chuyển về Đồng Ruộng",
    "canbo.tuly": "Phó Chủ tịch UBND xã Tú Lý, người địa phương",
    "canbo.toanson": "Phó Chủ tịch UBND xã Toàn Sơn",
    "canbo.hienluong": "Phó Bí thư Thường trực Đảng ủy xã Hiền Lương",
}
# A login that is not an official: the Tú Lý Party committee's proposer.
ACCOUNT_NAMES = {"admin": "Quản trị hệ thống", "proposer.tuly": "Xa Thị Mai"}

MEMBERSHIP_START = "01/03/2021"


class DemoBuilder:
    """Builds the demo registry section by section, keeping lookups for later sections."""

    def __init__(self):
        self.stats: Counter = Counter()
        self.units: dict[str, OrgUnit] = {}
        self.titles: dict[str, PositionTitle] = {}
        self.positions: dict[tuple[str, str], Position] = {}
        self.terms: dict[str, Term] = {}
        self.users: dict = {}
        self.officials: dict[str, Official] = {}  # by full name (unique in the demo)
        self.committee: Committee | None = None
        self.board: Board | None = None
        self._demo_hash: str | None = None
        self._hash_is_demo: dict[str, bool] = {}

    def _upsert(self, model, lookup, **values):
        obj, status = upsert(model, lookup=lookup, values=values)
        self.stats[status] += 1
        return obj

    # Sections, in the order seed_demo calls them.

    def build_units(self):
        communes = [(code, name, kind, DISTRICT) for code, name, kind in COMMUNES]
        for code, name, kind, parent in OTHER_UNITS + communes:
            self.units[code] = self._upsert(
                OrgUnit,
                {"code": code},
                name=name,
                kind=kind,
                parent=self.units.get(parent),
                valid_from=None,
                valid_to=None,
            )

    def build_titles(self):
        for order, (code, name, level, standing, non_local, head) in enumerate(TITLES, 1):
            self.titles[code] = self._upsert(
                PositionTitle,
                {"code": code},
                name=name,
                level=level,
                is_standing=standing,
                requires_non_local=non_local,
                is_head=head,
                order=order * 10,
            )

    def build_positions(self):
        for code, _, _ in COMMUNES:
            unit = self.units[code]
            for title_code in COMMUNE_TITLES:
                title = self.titles[title_code]
                self.positions[code, title_code] = self._upsert(
                    Position,
                    {"unit": unit, "title": title},
                    name=position_default_name(unit=unit, title=title),
                    seats=1,
                )
        for unit_code, title_code, name, seats in DISTRICT_POSTS:
            self.positions[unit_code, title_code] = self._upsert(
                Position,
                {"unit": self.units[unit_code], "title": self.titles[title_code]},
                name=name,
                seats=seats,
            )

    def build_committee_and_terms(self):
        self.committee = self._upsert(
            Committee,
            {"unit": self.units[DISTRICT], "symbol": "HU"},
            name="Ban Thường vụ Huyện ủy Đà Bắc",
            collective_name="BAN THƯỜNG VỤ HUYỆN ỦY",
            issuing_body_name="HUYỆN ỦY ĐÀ BẮC",
            superior_body_name="ĐẢNG BỘ TỈNH HÒA BÌNH",
            place_name="Đà Bắc",
            is_active=True,
            non_local_target_percent=80,
        )
        self.board = self._upsert(Board, {"committee": self.committee}, name="Ban Tổ chức Huyện ủy")
        for key, name, kind, of_committee, start, end in TERMS:
            self.terms[key] = self._upsert(
                Term,
                {"kind": kind, "name": name, "committee": self.committee if of_committee else None},
                start=_d(start),
                end=_d(end),
            )

    def build_users(self):
        names = {dp.login: dp.person.full_name for dp in DISTRICT_PEOPLE}
        for holders in COMMUNE_HOLDERS.values():
            names.update({p.login: p.full_name for p in holders.values() if p and p.login})
        names.update(ACCOUNT_NAMES)
        for username in ACCOUNTS:
            superuser = username == "admin"
            user = self._upsert(
                get_user_model(),
                {"username": username},
                email=f"{username}@{EMAIL_DOMAIN}",
                first_name=names[username],
                last_name="",
                is_active=True,
                is_staff=superuser,
                is_superuser=superuser,
            )
            self._ensure_demo_password(user)
            self.users[username] = user

    def _ensure_demo_password(self, user):
        """Set the password "demo" unless it already is; one hash for all, since hashing is slow
        on purpose and these accounts are public anyway."""
        if user.password not in self._hash_is_demo:
            self._hash_is_demo[user.password] = bool(user.password) and check_password(
                DEMO_PASSWORD, user.password
            )
        if self._hash_is_demo[user.password]:
            return
        if self._demo_hash is None:
            self._demo_hash = make_password(DEMO_PASSWORD)
            self._hash_is_demo[self._demo_hash] = True
        user.password = self._demo_hash
        user.save(update_fields=["password"])
        self.stats["updated"] += 1

    def build_officials(self):
        for unit_code, holders in COMMUNE_HOLDERS.items():
            for title_code, person in holders.items():
                if person is None:
                    continue
                official = self._official(person, home=person.home or unit_code)
                if person.full_name in MOVED_BY_DEMO_DECISIONS:
                    continue  # the posting of the 2023 decision makes it (build_history)
                self._assignment(official, (unit_code, title_code), person.start, ref=person.ref)
        for person in FORMER:
            self._official(person, home=person.home)
        for name, unit_code, title_code, start, end, ref in HISTORY:
            self._assignment(self.officials[name], (unit_code, title_code), start, end=end, ref=ref)
        for move in HISTORY_MOVES:
            unit_code, title_code, start = move.leaves
            self._assignment_before_move(
                self.officials[move.official], (unit_code, title_code), start
            )
        for dp in DISTRICT_PEOPLE:
            official = self._official(dp.person, home=dp.person.home)
            for unit_code, title_code, start, concurrent in dp.posts:
                self._assignment(official, (unit_code, title_code), start, concurrent=concurrent)

    def _official(self, person: Person, *, home: str) -> Official:
        assert person.full_name not in self.officials, f"{person.full_name} twice in the demo"
        self.officials[person.full_name] = official = self._upsert(
            Official,
            {"external_id": person.key},
            full_name=person.full_name,
            gender=Official.Gender.MALE if person.gender == "m" else Official.Gender.FEMALE,
            birth_date=_d(person.born),
            hometown_unit=self.units[home],
            birthplace_unit=self.units[home],
            ethnicity=person.ethnicity,
            party_join_date=None,
            user=self.users.get(person.login),
        )
        return official

    def _assignment(self, official, post, start, *, end="", ref="", concurrent=False):
        self._upsert(
            Assignment,
            {"official": official, "position": self.positions[post], "start": _d(start)},
            end=_d(end) if end else None,
            is_concurrent=concurrent,
            decision_ref=ref,
        )

    def _assignment_before_move(self, official, post, start):
        """The post a 2023 mover held before the decision; created open-ended and then left to
        the posting, which ends it (a second run must not reopen it)."""
        _, created = Assignment.objects.get_or_create(
            official=official,
            position=self.positions[post],
            start=_d(start),
            defaults={"end": None, "is_concurrent": False, "decision_ref": ""},
        )
        self.stats["created" if created else "unchanged"] += 1

    def build_memberships(self):
        start = _d(CONGRESS)
        roles = {"btv01": CommitteeMember.Role.CHAIR, "btv02": CommitteeMember.Role.DEPUTY}
        for username in VOTERS:  # the ten btv accounts and board.head
            role = roles.get(username, CommitteeMember.Role.MEMBER)
            self._member(CommitteeMember, username, start, role=role)

        start = _d(MEMBERSHIP_START)
        board = {"board": self.board}
        self._member(BoardMember, "board.head", start, board, role=BoardMember.Role.HEAD)
        self._member(BoardMember, "board.a", start, board, role=BoardMember.Role.MEMBER)
        self._member(BoardMember, "board.b", start, board, role=BoardMember.Role.MEMBER)
        self._member(
            BoardMember, "proposer.district", start, board, role=BoardMember.Role.SPECIALIST
        )
        self._member(CommitteeOfficeMember, "office", start)
        self._member(ProposerScope, "proposer.district", start, unit=self.units[DISTRICT])
        self._member(ProposerScope, "proposer.tuly", start, unit=self.units["dabac-tuly"])

    def _member(self, model, username, start, owner=None, **values):
        """A dated membership of the committee (or of `owner`), open-ended."""
        lookup = {**(owner or {"committee": self.committee}), "user": self.users[username]}
        self._upsert(model, lookup, start=start, end=None, **values)

    def build_planning(self):
        for name, title_code, term_key, ref in PLANNING:
            self._upsert(
                PlanningEntry,
                {
                    "official": self.officials[name],
                    "title": self.titles[title_code],
                    "term": self.terms[term_key],
                },
                decision_ref=ref,
            )

    def build_documents(self):
        """The committee's letter settings and the legal bases its decisions cite."""
        self._upsert(
            DocumentProfile,
            {"committee": self.committee},
            form="party",
            signing_collective="BAN THƯỜNG VỤ",
            chair_title="BÍ THƯ",
            deputy_title="PHÓ BÍ THƯ",
            office_name="Văn phòng Huyện ủy",
            report_to="Ban Tổ chức Tỉnh ủy (để báo cáo)",
        )
        for text, valid_from, valid_to, kinds, order in LEGAL_BASES:
            self._upsert(
                LegalBasis,
                {"committee": self.committee, "text": text},
                form="",
                order=order,
                valid_from=_d(valid_from) if valid_from else None,
                valid_to=_d(valid_to) if valid_to else None,
                for_rotation="rotation" in kinds,
                for_transfer="transfer" in kinds,
                for_secondment="secondment" in kinds,
            )

    def build_history(self):
        """The 2023 moves into the town, decided, issued as 45–47-QĐ/HU and posted."""
        term = self.terms[PARTY_2020]
        for move in HISTORY_MOVES:
            official = self.officials[move.official]
            effective = _d(move.effective)
            if RotationProposal.objects.filter(official=official).exists() or (
                # A database seeded before the workflow existed holds the move as plain rows.
                Assignment.objects.filter(
                    official=official, position=self.positions[move.to], start=effective
                ).exists()
            ):
                self.stats["unchanged"] += 1
                continue
            # The term's paper register reached 44 before the system took over numbering.
            NumberSeries.objects.get_or_create(
                committee=self.committee,
                doc_type="QĐ",
                period=f"term:{term.pk}",
                defaults={"last_number": HISTORY_FIRST_NUMBER - 1},
            )
            self._propose(move, effective=effective, issued_on=_d(move.issued))

    def build_proposals(self, *, today: dt.date):
        """Proposals waiting in every state, effective some weeks after `today`."""
        for spec in PENDING_PROPOSALS:
            if RotationProposal.objects.filter(official=self.officials[spec.official]).exists():
                self.stats["unchanged"] += 1
                continue
            self._propose(spec, effective=today + dt.timedelta(days=spec.effective_in_days))

    def _propose(self, spec: DemoProposal, *, effective: dt.date, issued_on=None):
        """Create the proposal and take it to `spec.state` with the services, each step by the
        account whose job it is."""

        def actor(username):
            return Actor.for_user(self.users[username])

        proposal = workflow.proposal_create(
            actor=actor(spec.author),
            official=self.officials[spec.official],
            kind=spec.kind,
            target_position=self.positions[spec.to],
            effective_date=effective,
            duration_months=spec.months,
            rationale=spec.rationale,
            higher_post_justification=spec.justification,
            committee=self.committee,
            backdated=issued_on is not None,
        )
        self.stats["created"] += 1
        pid, target = proposal.pk, spec.state

        def step(name, username, **data):
            workflow.proposal_transition(name, proposal_id=pid, actor=actor(username), **data)

        if target == S.DRAFT:
            return proposal
        step("submit", spec.author)
        if target == S.SUBMITTED:
            return proposal
        step("start_review", spec.reviewer)
        if target == S.RETURNED:
            step("return_for_revision", spec.reviewer, comment=spec.return_comment)
            return proposal
        workflow.opinion_add(
            proposal_id=pid, actor=actor(spec.reviewer), opinion="endorse", comment=spec.opinion
        )
        if target == S.IN_REVIEW:
            return proposal
        step("endorse", "board.head")
        if target == S.ENDORSED:
            return proposal
        step("open_vote", "btv01")  # the chair
        for username, choice in spec.ballots:
            workflow.ballot_cast(proposal_id=pid, actor=actor(username), choice=choice)
        if target == S.VOTING:
            return proposal
        step("close_vote", "btv01")
        if target == S.APPROVED:
            return proposal
        step("issue_decision", "office", issued_on=issued_on)
        if target == S.ISSUED:
            return proposal
        step("post", "office")
        if target == S.IN_EFFECT:
            return proposal
        step("end_rotation", "board.head", outcome=spec.outcome, comment=spec.outcome_comment)
        return proposal

    # Output.

    def account_lines(self) -> list[tuple[str, str]]:
        return list(ACCOUNTS.items())
