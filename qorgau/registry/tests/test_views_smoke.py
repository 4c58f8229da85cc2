import pytest

pytestmark = pytest.mark.django_db


def test_pages_render_for_inspector(login, inspector_x, school_a, school_b):
    client = login(inspector_x)
    assert client.get("/schools/").status_code == 200
    assert client.get(f"/schools/{school_a.pk}/").status_code == 200
    assert client.get(f"/schools/{school_b.pk}/").status_code == 404
