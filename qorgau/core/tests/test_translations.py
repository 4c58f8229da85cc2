"""The Russian and Kazakh catalogs are complete: every string translated, none fuzzy, placeholders kept.

Russian is the default language, so an untranslated string shows English to most users. The catalogs are read
with a small parser of the .po format (standard library only), so the test needs no gettext tools.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import django
import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
DJANGO_LOCALE_DIR = Path(django.__file__).resolve().parent / "conf" / "locale"
LANGUAGES = ["ru", "kk"]
PLACEHOLDER = re.compile(r"%%|%\([a-z_]+\)[sd]|%[sd]")
# A word mixing Latin and Cyrillic letters is almost always a look-alike typed by mistake (Latin «i» for «і»).
MIXED_SCRIPT = re.compile(r"[A-Za-z][А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]|[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі][A-Za-z]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def translations(self) -> list[str]:
        return [self.msgstr[i] for i in sorted(self.msgstr)]


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None

    def start(line_no: int) -> Entry:
        nonlocal entry
        if entry is None:
            entry = Entry(line=line_no)
        return entry

    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, target = None, None
        elif line.startswith("#,"):
            start(line_no).flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            current = start(line_no)
            if target[0] == "msgid":
                current.msgid += value
            elif target[0] == "msgid_plural":
                current.msgid_plural += value
            else:
                current.msgstr[target[1]] += value
        else:
            keyword, _, value = line.partition(" ")
            value = ast.literal_eval(value)
            current = start(line_no)
            if keyword == "msgid":
                current.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                current.msgid_plural, target = value, ("msgid_plural", 0)
            elif keyword == "msgstr":
                current.msgstr[0], target = value, ("msgstr", 0)
            elif keyword.startswith("msgstr["):
                index = int(keyword[len("msgstr[") : -1])
                current.msgstr[index], target = value, ("msgstr", index)
            elif keyword == "msgctxt":
                target = ("msgctxt", 0)
            else:
                raise AssertionError(f"{path.name}:{line_no}: cannot parse {raw!r}")
    if entry is not None:
        entries.append(entry)
    return entries


def header(entries: list[Entry]) -> dict[str, str]:
    assert entries and entries[0].msgid == "", "the catalog has no header"
    fields = {}
    for line in entries[0].msgstr[0].splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def catalog(lang: str) -> list[Entry]:
    return parse_po(LOCALE_DIR / lang / "LC_MESSAGES" / "django.po")


def messages(lang: str) -> list[Entry]:
    return catalog(lang)[1:]


def where(lang: str, entry: Entry) -> str:
    return f"{lang}/LC_MESSAGES/django.po:{entry.line} {entry.msgid!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(lang):
    entries = messages(lang)
    assert len(entries) > 100, "the catalog looks empty: run `make messages`"
    untranslated = [where(lang, e) for e in entries if not all(s.strip() for s in e.translations)]
    fuzzy = [where(lang, e) for e in catalog(lang) if "fuzzy" in e.flags]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy (ignored at runtime):\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_header_matches_djangos_own_catalog(lang):
    ours = header(catalog(lang))
    djangos = header(parse_po(DJANGO_LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"))
    assert ours["Language"] == lang
    assert ours["Content-Type"] == "text/plain; charset=UTF-8"
    # Catalogs with different plural rules cannot be merged: gettext would pick the wrong forms.
    assert ours["Plural-Forms"] == djangos["Plural-Forms"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_entries_have_every_form(lang):
    nplurals = int(re.search(r"nplurals=(\d+)", header(catalog(lang))["Plural-Forms"]).group(1))
    wrong = [
        where(lang, e) for e in messages(lang) if e.msgid_plural is not None and len(e.msgstr) != nplurals
    ]
    assert not wrong, f"plural entries without exactly {nplurals} forms:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive_translation(lang):
    wrong = []
    for entry in messages(lang):
        allowed = [sorted(PLACEHOLDER.findall(entry.msgid))]
        if entry.msgid_plural is not None:
            # A plural form may stand for several numbers (the Russian msgstr[0] serves 1, 21, 31…), so it may
            # need the plural's placeholders even where the English singular leaves the number out.
            allowed.append(sorted(PLACEHOLDER.findall(entry.msgid_plural)))
        for text in entry.translations:
            if sorted(PLACEHOLDER.findall(text)) not in allowed:
                wrong.append(f"{where(lang, entry)} -> {text!r}")
    assert not wrong, "placeholders changed:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_word_mixes_latin_and_cyrillic_letters(lang):
    wrong = [
        f"{where(lang, e)} -> {text!r}"
        for e in messages(lang)
        for text in e.translations
        if MIXED_SCRIPT.search(text)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("lang", "source", "expected"),
    [
        ("kk", "Schools", "Мектептер"),
        ("ru", "Schools", "Школы"),
        ("kk", "Sign in", "Кіру"),
        ("ru", "Sign in", "Войти"),
        ("kk", "Sign out", "Шығу"),
        ("ru", "Sign out", "Выйти"),
        ("kk", "BIN", "БСН"),
        ("ru", "BIN", "БИН"),
        ("kk", "Safety passport", "Мектептің қауіпсіздік паспорты"),
        ("ru", "Safety passport", "Паспорт безопасности школы"),
        ("kk", "District", "Аудан"),
        ("ru", "Size tier", "Категория по численности"),
    ],
)
def test_key_strings_render_translated(lang, source, expected):
    with translation.override(lang):
        assert gettext(source) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 школа"), (2, "2 школы"), (5, "5 школ"), (11, "11 школ"), (21, "21 школа"), (24, "24 школы")],
)
def test_russian_plurals_follow_the_number(n, expected):
    with translation.override("ru"):
        assert ngettext("%(n)s school", "%(n)s schools", n) % {"n": n} == expected


def test_kazakh_keeps_the_noun_singular_after_a_number():
    with translation.override("kk"):
        assert ngettext("%(n)s school", "%(n)s schools", 5) % {"n": 5} == "5 мектеп"
