from lib.text import fold


def test_fold_removes_vietnamese_diacritics_and_case():
    assert fold("Nguyễn Văn Đức") == "nguyen van duc"
    assert fold("  Đinh   Thị HỒNG ") == "dinh thi hong"
    assert fold("Hòa Bình") == fold("Hoà Bình") == "hoa binh"
    assert fold("") == ""
