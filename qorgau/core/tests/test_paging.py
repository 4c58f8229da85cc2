"""id_page: the same rows in the same order as the plain paginator, in the same number of queries."""

import pytest
from django.core.paginator import Paginator
from django.db.models import Count

from qorgau.core.paging import id_page
from qorgau.registry.models import School
from qorgau.tests.factories import CameraFactory, DistrictFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools():
    districts = [DistrictFactory(name_ru=name) for name in ("Б", "А", "В")]
    made = []
    for n in range(23):
        school = SchoolFactory(district=districts[n % 3], name_ru=f"Школа {n % 7}")
        for _ in range(n % 3):
            CameraFactory(school=school)
        made.append(school)
    return made


def _lists():
    base = School.objects.select_related("district").annotate(cameras_n=Count("cameras"))
    return [
        base.order_by("district__name_ru", "name_ru", "id"),
        # Filters across forward keys only: the rows are read by id without the filters.
        School.objects.select_related("district")
        .filter(district__name_ru__in=["А", "В"])
        .order_by("-name_ru", "district__name_ru", "id"),
        # DISTINCT over a reverse relation: paged plainly.
        School.objects.filter(cameras__isnull=False).distinct().order_by("name_ru", "id"),
    ]


@pytest.mark.parametrize("which", [0, 1, 2])
@pytest.mark.parametrize("number", [1, 2, 3, 99, "x"])
def test_the_same_page_as_the_plain_paginator(schools, which, number):
    qs = _lists()[which]
    expected = Paginator(qs, 5).get_page(number)
    page = id_page(qs, number, 5)
    assert page.number == expected.number
    assert page.paginator.count == expected.paginator.count
    assert [s.pk for s in page.object_list] == [s.pk for s in expected.object_list]
    if which == 0:
        assert [s.cameras_n for s in page] == [s.cameras_n for s in expected]


def test_one_query_for_the_rows(schools, django_assert_num_queries):
    page = id_page(_lists()[0], 2, 5)
    with django_assert_num_queries(1):
        rows = list(page.object_list)
        assert all(r.district.name_ru for r in rows)
