import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from qorgau.core.models import ChangeRecord
from qorgau.registry import importing
from qorgau.registry.bin import bin_problem
from qorgau.registry.models import School
from qorgau.registry.tests.import_files import PNG_BYTES, csv_file, school_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import-schools", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _failure(*args) -> tuple[CommandError, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import-schools", *args, stdout=io.StringIO(), stderr=err)
    return caught.value, err.getvalue()


def test_it_prints_the_counts_of_a_successful_import(tmp_path, district_x):
    path = tmp_path / "schools.csv"
    path.write_bytes(csv_file([school_row(), school_row()]))

    out, _err = _run(str(path))
    again, _err = _run(str(path))

    assert out.strip() == "Imported 2 rows of schools: 2 created, 0 updated, 0 unchanged."
    assert again.strip() == "Imported 2 rows of schools: 0 created, 0 updated, 2 unchanged."
    assert set(ChangeRecord.objects.values_list("actor", flat=True)) == {None}  # the system, not a person


def test_it_prints_each_row_error_and_fails_writing_nothing(tmp_path, district_x):
    path = tmp_path / "schools.csv"
    path.write_bytes(csv_file([school_row(), school_row(bin="12345"), school_row(pupils="x")]))

    error, err = _failure(str(path))

    assert error.returncode == 1  # what the process exits with
    assert str(error) == str(importing.HAS_ERRORS)
    assert f"row 3, column bin: {bin_problem('12345')}" in err
    assert "row 4, column pupils: " in err
    assert not School.objects.exists()


def test_a_dry_run_checks_and_writes_nothing(tmp_path, district_x):
    path = tmp_path / "schools.csv"
    path.write_bytes(csv_file([school_row()]))

    out, _err = _run(str(path), "--dry-run")

    assert out.strip() == "Would import 1 row of schools: 1 created, 0 updated, 0 unchanged."
    assert not School.objects.exists()


def test_a_dry_run_of_a_bad_file_fails_with_the_row_errors(tmp_path, district_x):
    path = tmp_path / "schools.csv"
    path.write_bytes(csv_file([school_row(district="Нарния")]))
    _error, err = _failure(str(path), "--dry-run")
    assert "row 2, column district: " in err


def test_with_a_user_the_import_stays_within_their_area(tmp_path, chief_x, district_y):
    path = tmp_path / "schools.csv"
    path.write_bytes(csv_file([school_row(district="TY")]))
    _error, err = _failure(str(path), "--user", "chief_x")
    assert f"row 2, column district: {importing.DISTRICT_NOT_YOURS}" in err


def test_a_user_who_may_not_import_is_refused(tmp_path, inspector_x, district_x):
    path = tmp_path / "schools.csv"
    path.write_bytes(csv_file([school_row()]))
    error, _err = _failure(str(path), "--user", "inspector_x")
    assert str(error) == str(importing.MAY_NOT_IMPORT)


def test_an_unknown_user_or_a_missing_file_is_refused(tmp_path):
    error, _err = _failure(str(tmp_path / "schools.csv"), "--user", "nobody")
    assert str(error) == "No user 'nobody'."
    error, _err = _failure(str(tmp_path / "missing.csv"))
    assert "Cannot read" in str(error)


def test_a_file_that_is_not_a_table_is_refused(tmp_path):
    path = tmp_path / "schools.xlsx"
    path.write_bytes(PNG_BYTES)
    error, _err = _failure(str(path))
    assert str(error) == str(importing.NOT_A_TABLE)


def test_the_real_command_exits_non_zero_on_a_bad_file(tmp_path):
    # The file is refused before any query, so a throwaway database under tmp_path is enough.
    path = tmp_path / "picture.csv"
    path.write_bytes(PNG_BYTES)
    env = {**os.environ, "QORGAU_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "qorgau", "import-schools", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1
    assert "CommandError" in done.stderr
