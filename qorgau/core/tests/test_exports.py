"""The export helper: a streamed CSV is made in the requesting user's language and time zone even when the
server reads the stream later, in another language; unknown formats are 404."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone, translation

from qorgau.core.exports import CSV_ROWS_PER_PIECE, choice_labels, export_response
from qorgau.inspections.models import Inspection
from qorgau.tests.exports import column, csv_table
from qorgau.tests.factories import InspectionFactory

pytestmark = pytest.mark.django_db


def test_a_streamed_csv_keeps_the_users_language_and_time_zone(login, chief_x, school_a, inspector_x):
    chief_x.language = "en"
    chief_x.save(update_fields=["language"])
    approved_at = dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC)  # 2 March, 01:30 in Almaty
    InspectionFactory(school=school_a, inspector=inspector_x, status="approved", approved_at=approved_at)
    response = login(chief_x).get("/inspections/export.csv")
    # The stream is read only now, while another language and zone are active, as on a busy server.
    with translation.override("kk"), timezone.override("UTC"):
        table = csv_table(response)
    assert column(table, "Status") == ["Approved"]
    assert column(table, "Approved at") == ["2026-03-02 01:30"]


def test_a_large_csv_is_sent_in_pieces_of_many_rows():
    rows = range(CSV_ROWS_PER_PIECE * 2 + 1)
    response = export_response(rows=iter(rows), columns=[("n", lambda n: n)], fmt="csv", filename="n")
    pieces = list(response.streaming_content)
    assert len(pieces) == 1 + 3  # the header, two full pieces and the rest
    assert pieces[0].startswith("\ufeff".encode())


def test_an_unknown_format_is_404():
    with pytest.raises(Http404):
        export_response(rows=[], columns=[], fmt="ods", filename="n")


def test_choice_labels_are_read_in_the_current_language():
    with translation.override("en"):
        assert choice_labels(Inspection.Status.choices)["approved"] == "Approved"
