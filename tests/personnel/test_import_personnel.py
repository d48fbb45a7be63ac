"""`import_personnel FILE.csv`: units, officials and assignments, all or nothing (SPEC §8)."""

import datetime as dt
import io
import itertools
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import CommandError, call_command

from personnel.models import Assignment, Official, OrgUnit, Position, PositionTitle
from personnel.services import ImportRejected, personnel_import_csv

pytestmark = pytest.mark.django_db

D = dt.date
HEADER = (
    "record,code,name,kind,parent_code,key,full_name,gender,birth_date,hometown_code,"
    "birthplace_code,ethnicity,official_key,unit_code,title_code,start,end,is_concurrent,"
    "decision_ref"
)
EXAMPLE = Path(settings.BASE_DIR) / "docs" / "import_example.csv"


def unit_row(code, name, kind, parent=""):
    return f"unit,{code},{name},{kind},{parent}" + "," * 14


def official_row(key, name, gender, born, home="", birthplace="", ethnicity=""):
    return f"official,,,,,{key},{name},{gender},{born},{home},{birthplace},{ethnicity}" + "," * 7


def assignment_row(key, unit, title, start, end="", concurrent="", ref=""):
    return "assignment" + "," * 12 + f"{key},{unit},{title},{start},{end},{concurrent},{ref}"


GOOD = [
    unit_row("dabac", "Huyện Đà Bắc", "huyện", "hoabinh"),
    unit_row("dabac-tuly", "Xã Tú Lý", "xã", "dabac"),
    unit_row("dabac-thitran", "Thị trấn Đà Bắc", "town", "dabac"),
    official_row(
        "HB-001", "Đinh Văn Khải", "nam", "14/05/1984", "dabac-tuly", "dabac-tuly", "Mường"
    ),
    official_row("HB-002", "Xa Thị Hoa", "Nữ", "1987-09-02", "hoabinh", "", "Tày"),
    assignment_row("HB-001", "dabac-tuly", "pct", "01/07/2021", "30/06/2023", "", "Số 12-QĐ/HU"),
    assignment_row("HB-001", "dabac-thitran", "pct", "01/07/2023"),
    assignment_row("HB-002", "dabac-tuly", "pct", "2023-07-01", "", "có"),
]


@pytest.fixture
def catalogue(db):
    """What an import needs to exist already: the province and the titles."""
    OrgUnit.objects.create(code="hoabinh", name="Tỉnh Hòa Bình", kind=OrgUnit.Kind.PROVINCE)
    PositionTitle.objects.create(code="pct", name="Phó Chủ tịch UBND", level=1)
    PositionTitle.objects.create(code="bt", name="Bí thư Đảng ủy", level=3, is_standing=True)


def write(tmp_path, rows, header=HEADER, name="import.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def run(path, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_personnel", str(path), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def reject(path) -> tuple[str, str]:
    """Run an import that must fail; returns (exception text, stderr)."""
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_personnel", str(path), stdout=io.StringIO(), stderr=err)
    return str(exc.value), err.getvalue()


def dump() -> str:
    models = apps.get_app_config("personnel").get_models()
    rows = itertools.chain.from_iterable(m.objects.order_by("pk") for m in models)
    return serializers.serialize("json", rows)


# --- A good file ----------------------------------------------------------------------------


def test_it_imports_units_officials_and_assignments(catalogue, tmp_path):
    out, err = run(write(tmp_path, GOOD))
    assert err == ""
    assert "tạo mới 3" in out  # units

    tuly = OrgUnit.objects.get(code="dabac-tuly")
    assert (tuly.name, tuly.kind, tuly.parent.code) == ("Xã Tú Lý", OrgUnit.Kind.COMMUNE, "dabac")
    assert OrgUnit.objects.get(code="dabac").parent.code == "hoabinh"
    assert OrgUnit.objects.get(code="dabac-thitran").kind == OrgUnit.Kind.TOWN

    khai = Official.objects.get(external_id="HB-001")
    assert (khai.full_name, khai.gender, khai.birth_date) == (
        "Đinh Văn Khải",
        "male",
        D(1984, 5, 14),
    )
    assert khai.hometown_unit == khai.birthplace_unit == tuly
    assert khai.ethnicity == "Mường"
    hoa = Official.objects.get(external_id="HB-002")
    assert (hoa.gender, hoa.birth_date) == ("female", D(1987, 9, 2))
    assert hoa.hometown_unit.code == "hoabinh" and hoa.birthplace_unit is None

    # Posts are found or created by unit + title, with the usual name.
    assert set(Position.objects.values_list("name", flat=True)) == {
        "Phó Chủ tịch UBND xã Tú Lý",
        "Phó Chủ tịch UBND thị trấn Đà Bắc",
    }
    old, new = Assignment.objects.filter(official=khai).order_by("start")
    assert (old.position.unit, old.start, old.end) == (tuly, D(2021, 7, 1), D(2023, 6, 30))
    assert old.decision_ref == "Số 12-QĐ/HU" and not old.is_concurrent
    assert (new.position.unit.code, new.end) == ("dabac-thitran", None)
    concurrent = Assignment.objects.get(official=hoa)
    assert concurrent.is_concurrent and concurrent.start == D(2023, 7, 1)


def test_reimporting_the_same_file_changes_nothing(catalogue, tmp_path):
    path = write(tmp_path, GOOD)
    run(path)
    before = dump()
    out, _ = run(path)
    assert dump() == before
    assert out.count("tạo mới 0, cập nhật 0") == 3
    assert "chức vụ mới: 0" in out


def test_a_later_file_updates_the_official_with_the_same_key(catalogue, tmp_path):
    run(write(tmp_path, GOOD))
    changed = official_row("HB-002", "Xa Thị Hoà Bình", "nữ", "02/09/1987", "dabac-tuly")
    out, _ = run(write(tmp_path, [changed], name="second.csv"))
    assert Official.objects.filter(external_id="HB-002").count() == 1
    hoa = Official.objects.get(external_id="HB-002")
    assert hoa.full_name == "Xa Thị Hoà Bình" and hoa.hometown_unit.code == "dabac-tuly"
    assert "cập nhật 1" in out


def test_an_end_date_in_a_later_file_closes_the_stored_assignment(catalogue, tmp_path):
    run(write(tmp_path, GOOD))
    rows = [
        assignment_row("HB-002", "dabac-tuly", "pct", "01/07/2023", "31/12/2025", "có"),
        assignment_row("HB-002", "dabac-tuly", "pct", "01/01/2026"),
    ]
    run(write(tmp_path, rows, name="second.csv"))
    spans = Assignment.objects.filter(official__external_id="HB-002").order_by("start")
    assert [(a.start, a.end) for a in spans] == [
        (D(2023, 7, 1), D(2025, 12, 31)),
        (D(2026, 1, 1), None),
    ]


def test_a_column_left_out_keeps_the_stored_value(catalogue, tmp_path):
    run(write(tmp_path, GOOD))
    header = "record,key,full_name,gender,birth_date"
    run(write(tmp_path, ["official,HB-001,Đinh Văn Khải,nam,14/05/1984"], header, "short.csv"))
    khai = Official.objects.get(external_id="HB-001")
    assert khai.ethnicity == "Mường" and khai.hometown_unit.code == "dabac-tuly"


def test_comment_rows_and_a_byte_order_mark_are_accepted(catalogue, tmp_path):
    path = tmp_path / "excel.csv"
    text = "\n".join([HEADER, '"# ghi chú, with a comma"', GOOD[0]]) + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    run(path)
    assert OrgUnit.objects.filter(code="dabac").exists()


def test_dry_run_checks_the_file_and_writes_nothing(catalogue, tmp_path):
    before = dump()
    out, _ = run(write(tmp_path, GOOD), dry_run=True)
    assert "không ghi gì" in out and "tạo mới 3" in out
    assert dump() == before


def test_the_documented_example_imports_into_the_demo_registry(settings, tmp_path):
    settings.DEMO_MODE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    run(EXAMPLE)
    khoa = Official.objects.get(external_id="HB-2024-0117")
    assert khoa.hometown_unit.name == "Huyện Lạc Sơn"
    assert Position.objects.filter(name="Chuyên viên Ban Dân vận Huyện ủy").exists()
    assert Assignment.objects.filter(official__external_id="HB-2024-0118").count() == 2
    before = dump()
    run(EXAMPLE)
    assert dump() == before


# --- Bad files: every bad row reported, nothing written -------------------------------------


def test_a_file_with_several_bad_rows_reports_each_line_and_writes_nothing(catalogue, tmp_path):
    rows = [
        GOOD[0],  # line 2: good
        unit_row("x", "Xã X", "làng", "dabac"),  # line 3: bad kind
        GOOD[1],  # line 4: good
        official_row("HB-009", "Lê Văn Tư", "nam", "32/01/1980"),  # line 5: bad date
        official_row("HB-010", "Lê Thị Năm", "không rõ", "01/01/1980"),  # line 6: bad gender
        assignment_row("HB-404", "dabac-tuly", "pct", "01/01/2024"),  # line 7: unknown official
    ]
    before = dump()
    message, err = reject(write(tmp_path, rows))
    for line in (3, 5, 6, 7):
        assert f"Dòng {line}:" in err
    for line in (2, 4):
        assert f"Dòng {line}:" not in err
    assert "Không nhập gì: 4 lỗi ở 4 dòng" in message
    assert dump() == before
    assert not OrgUnit.objects.filter(code="dabac").exists()


def test_the_service_lists_every_error_with_its_line(catalogue):
    text = "\n".join(
        [
            HEADER,
            official_row("HB-001", "", "nam", "1980"),  # line 2: no name, bad date
            GOOD[0],
            assignment_row("", "dabac", "pct", ""),  # line 4: no key, no start
        ]
    )
    with pytest.raises(ImportRejected) as exc:
        personnel_import_csv(stream=io.StringIO(text))
    assert [e.line for e in exc.value.errors] == [2, 2, 4, 4]
    assert [e.code for e in exc.value.errors] == ["empty", "bad_date", "empty", "empty"]
    assert all(e.text() for e in exc.value.errors)


def test_it_rejects_an_unknown_parent_code(catalogue, tmp_path):
    _, err = reject(write(tmp_path, [GOOD[0], unit_row("y", "Xã Y", "xã", "khong-co")]))
    assert "Dòng 3: không có đơn vị mã “khong-co”" in err
    assert not OrgUnit.objects.filter(code__in=["dabac", "y"]).exists()


def test_it_rejects_a_parent_that_would_make_a_loop(catalogue, tmp_path):
    run(write(tmp_path, GOOD[:2]))
    _, err = reject(write(tmp_path, [unit_row("hoabinh", "Tỉnh Hòa Bình", "tỉnh", "dabac-tuly")]))
    assert "Dòng 2:" in err and "đang trực thuộc “hoabinh”" in err
    assert OrgUnit.objects.get(code="hoabinh").parent is None


def test_it_rejects_a_reference_to_a_later_row(catalogue, tmp_path):
    rows = [unit_row("dabac-tuly", "Xã Tú Lý", "xã", "dabac"), GOOD[0]]
    _, err = reject(write(tmp_path, rows))
    assert "Dòng 2:" in err and "ở dòng 3" in err and "hãy đưa dòng đó lên trước" in err


@pytest.mark.parametrize("born", ["31/02/1980", "1980", "14.05.1984", "01/01/85", "hôm qua"])
def test_it_rejects_a_bad_date(catalogue, tmp_path, born):
    _, err = reject(write(tmp_path, [official_row("HB-001", "Đinh Văn Khải", "nam", born)]))
    assert f"Dòng 2: ngày “{born}” ở cột “birth_date” không hợp lệ" in err
    assert "cần dd/mm/yyyy hoặc yyyy-mm-dd" in err
    assert not Official.objects.exists()


def test_it_rejects_a_birth_date_in_the_future(catalogue, tmp_path):
    born = (dt.date.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    _, err = reject(write(tmp_path, [official_row("HB-001", "Đinh Văn Khải", "nam", born)]))
    assert "Dòng 2:" in err and "ở tương lai" in err


@pytest.mark.parametrize("gender", ["khác", "x", ""])
def test_it_rejects_an_unknown_gender(catalogue, tmp_path, gender):
    _, err = reject(
        write(tmp_path, [official_row("HB-001", "Đinh Văn Khải", gender, "1984-05-14")])
    )
    assert f"Dòng 2: giới tính “{gender}” không hợp lệ" in err
    assert not Official.objects.exists()


def test_it_rejects_an_assignment_that_ends_before_it_starts(catalogue, tmp_path):
    rows = [*GOOD[:4], assignment_row("HB-001", "dabac-tuly", "pct", "01/07/2023", "30/06/2023")]
    _, err = reject(write(tmp_path, rows))
    assert "Dòng 6: ngày kết thúc 30/06/2023 trước ngày bắt đầu 01/07/2023" in err
    assert "ngày kết thúc 30/06/2023 trước ngày bắt đầu 01/07/2023" in err
    assert not Assignment.objects.exists() and not OrgUnit.objects.filter(code="dabac").exists()


def test_it_rejects_an_unknown_title_and_a_bad_concurrent_flag(catalogue, tmp_path):
    rows = [*GOOD[:4], assignment_row("HB-001", "dabac-tuly", "chu-tich", "01/07/2023", "", "hmm")]
    _, err = reject(write(tmp_path, rows))
    assert "Dòng 6: không có chức danh mã “chu-tich”" in err
    assert "Dòng 6: cột “is_concurrent”" in err


def test_it_rejects_a_second_open_assignment_to_a_post_already_held(catalogue, tmp_path):
    run(write(tmp_path, GOOD))
    again = [assignment_row("HB-001", "dabac-thitran", "pct", "01/01/2025")]
    _, err = reject(write(tmp_path, again, name="again.csv"))
    assert "Dòng 2:" in err and "01/07/2023" in err and "hai lần mà không có ngày kết thúc" in err
    assert Assignment.objects.filter(official__external_id="HB-001").count() == 2


def test_it_rejects_the_same_key_twice_in_one_file(catalogue, tmp_path):
    rows = [GOOD[3], official_row("HB-001", "Người Khác", "nam", "01/01/1990")]
    _, err = reject(write(tmp_path, rows))
    assert "Dòng 3:" in err and "đã khai báo ở dòng 2" in err


def test_it_rejects_unknown_columns_and_a_missing_record_column(catalogue, tmp_path):
    _, err = reject(write(tmp_path, [GOOD[0]], header=HEADER + ",notes"))
    assert "Dòng 1: cột không xác định: notes" in err
    _, err = reject(write(tmp_path, ["dabac"], header="code", name="b.csv"))
    assert "Dòng 1: thiếu cột “record”" in err


def test_it_rejects_an_unknown_record_kind(catalogue, tmp_path):
    _, err = reject(write(tmp_path, [GOOD[0], "position,a,b"]))
    assert "Dòng 3: cột “record” phải là unit, official hoặc assignment" in err


def test_it_refuses_a_file_that_is_not_utf8(catalogue, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes((HEADER + "\n" + GOOD[0] + "\n").encode("cp1258", errors="replace"))
    message, _ = reject(path)
    assert "UTF-8" in message
    assert not OrgUnit.objects.filter(code="dabac").exists()
