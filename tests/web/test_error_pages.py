"""Error pages: in the layout, in Vietnamese, saying why when the code said why."""

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.views.defaults import permission_denied

pytestmark = pytest.mark.django_db


def test_an_unknown_page_answers_404_in_the_layout(client, world):
    client.force_login(world.reviewer)
    response = client.get("/personnel/officials/999999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert 'class="site-nav"' in html  # the user keeps the navigation
    assert 'href="/"' in html


def test_a_refusal_shows_its_reason(rf, world):
    request = rf.get("/somewhere/")
    request.user = world.reviewer
    response = permission_denied(
        request, PermissionDenied("Chỉ Trưởng Ban Tổ chức được trình (only the board head).")
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Không được phép" in html
    assert "Chỉ Trưởng Ban Tổ chức được trình (only the board head)." in html


def test_the_server_error_page_needs_no_context():
    html = render_to_string("500.html")
    assert "Lỗi hệ thống" in html
    assert "{%" not in html
