"""The order's documents: the issued order (предписание) as a PDF for print and a DOCX for editing, and each
amendment as a one-page PDF, in the order's language (Russian or Kazakh).

Both formats are built from one `OrderDocument`, so they always say the same. The legal wording (the
paragraphs on reporting back, liability and appeal, the receipt lines, the degrees of violations) is fixed
here per language, in official Russian and Kazakh: an issued document must not change its legal text when a
translation file is edited. Short labels (table headers, field names, headings) go through gettext.

The documents are made once, when the order is issued (or the amendment made), and stored with their
SHA-256 by the services; they are never rendered again for download.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from qorgau.inspections.documents import render_pdf
from qorgau.orders.models import Amendment, Order

DOCUMENT_LANGUAGES = ("ru", "kk")
ALMATY = ZoneInfo("Asia/Almaty")  # dates on documents are Almaty dates, whatever the server's zone

# The official wording, per language. Placeholders are filled with str.format.
WORDING: dict[str, dict[str, str]] = {
    "ru": {
        "title": "ПРЕДПИСАНИЕ № {number}",
        "subtitle": "об устранении нарушений требований к антитеррористической защищённости объекта, "
        "уязвимого в террористическом отношении",
        "short": "Предписание № {number}",
        "place": "г. {city}",
        "date": "{date}",
        "basis": "акт о результатах проверки № {act} от {date}",
        "period": "с {start} по {end}",
        "intro": "По результатам проверки антитеррористической защищённости объекта выявлены нарушения "
        "требований к организации антитеррористической защиты объектов, уязвимых в террористическом "
        "отношении (постановление Правительства Республики Казахстан от 6 мая 2021 года № 305), и иных "
        "нормативных правовых актов, указанных в таблице. На основании изложенного ПРЕДПИСЫВАЮ "
        "руководителю объекта устранить следующие нарушения в указанные сроки:",
        "reporting": "О выполнении каждого пункта настоящего предписания руководитель объекта сообщает "
        "в {issuer} в течение {days} после истечения срока, установленного для этого пункта, — через "
        "информационную систему Qorgau либо письменно — с приложением подтверждающих материалов: "
        "фотоснимков, копий договоров, актов выполненных работ, снимка экрана, подтверждающего глубину "
        "хранения видеоархива. Если нарушение невозможно устранить в установленный срок, руководитель "
        "объекта до его истечения направляет мотивированное ходатайство о продлении срока.",
        "liability": "Невыполнение требований к антитеррористической защите объекта, в том числе "
        "неустранение указанных нарушений в установленные сроки, влечёт административную "
        "ответственность, предусмотренную статьёй 149 Кодекса Республики Казахстан об административных "
        "правонарушениях (КоАП РК), — штраф в размере от 200 до 500 месячных расчётных показателей (МРП).",
        "appeal": "Настоящее предписание может быть обжаловано в вышестоящий орган — Департамент полиции "
        "г. Алматы — или в суд в порядке и сроки, установленные Административным "
        "процедурно-процессуальным кодексом Республики Казахстан (АППК РК).",
        "follow_up": "Контрольная проверка исполнения предписания назначена на {date}.",
        "follow_up_unset": "Дата контрольной проверки исполнения предписания будет определена дополнительно.",
        "receipt": "Предписание получил(а) руководитель объекта (уполномоченное лицо):",
        "refusal": "Отметка об отказе в получении предписания (кто отказался, в чьём присутствии):",
        "blank_date": "«___» ____________ 20___ г.",
        "days_one": "{n} календарного дня",
        "days_many": "{n} календарных дней",
        "G": "грубое",
        "S": "значительное",
        "M": "незначительное",
        # The amendment.
        "am_title": "ИЗМЕНЕНИЕ № {number}",
        "am_subtitle": "к предписанию № {order} от {date}",
        "am_short": "Изменение № {number}",
        "am_intro": "В предписание № {order} от {date} (объект: {school}) вносится следующее изменение:",
        "am_extend": "Срок исполнения пункта № {n} продлевается: прежний срок — {old}, новый срок — {new}.",
        "am_withdraw": "Пункт № {n} исключается из предписания и снимается с контроля (прежний срок "
        "исполнения — {old}).",
        "am_rest": "Остальные требования предписания остаются без изменений.",
        "am_ack": "С изменением ознакомлен(а) руководитель объекта (уполномоченное лицо):",
    },
    "kk": {
        "title": "№ {number} НҰСҚАМА",
        "subtitle": "терроризм тұрғысынан осал объектінің терроризмге қарсы қорғалуына қойылатын "
        "талаптардың бұзылуын жою туралы",
        "short": "№ {number} нұсқама",
        "place": "{city} қ.",
        "date": "{date} ж.",
        "basis": "тексеру нәтижелері туралы {date} ж. № {act} акт",
        "period": "{start} – {end}",
        "intro": "Объектінің терроризмге қарсы қорғалуын тексеру нәтижелері бойынша терроризм тұрғысынан "
        "осал объектілердің терроризмге қарсы қорғалуын ұйымдастыруға қойылатын талаптардың (Қазақстан "
        "Республикасы Үкіметінің 2021 жылғы 6 мамырдағы № 305 қаулысы) және кестеде көрсетілген өзге де "
        "нормативтік құқықтық актілердің бұзылуы анықталды. Жоғарыда баяндалғанның негізінде объект "
        "басшысынан төмендегі бұзушылықтарды көрсетілген мерзімдерде жоюды ТАЛАП ЕТЕМІН:",
        "reporting": "Осы нұсқаманың әрбір тармағының орындалуы туралы объект басшысы осы тармақ үшін "
        "белгіленген мерзім өткеннен кейін {days} ішінде Qorgau ақпараттық жүйесі арқылы немесе жазбаша "
        "түрде нұсқаманы берген органға ({issuer}) хабарлайды және растайтын материалдарды қоса береді: "
        "фотосуреттерді, шарттардың көшірмелерін, орындалған жұмыстар актілерін, бейнемұрағаттың сақталу "
        "тереңдігін растайтын экран суретін. Бұзушылықты белгіленген мерзімде жою мүмкін болмаған "
        "жағдайда объект басшысы мерзім өткенге дейін мерзімді ұзарту туралы дәлелді өтінішхат жібереді.",
        "liability": "Объектінің терроризмге қарсы қорғалуына қойылатын талаптарды орындамау, оның ішінде "
        "көрсетілген бұзушылықтарды белгіленген мерзімдерде жоймау «Әкімшілік құқық бұзушылық туралы» "
        "Қазақстан Республикасы Кодексінің (ҚР ӘҚБтК) 149-бабында көзделген әкімшілік жауапкершілікке — "
        "200-ден 500-ге дейінгі айлық есептік көрсеткіш (АЕК) мөлшерінде айыппұл салуға әкеп соғады.",
        "appeal": "Осы нұсқамаға Қазақстан Республикасының Әкімшілік рәсімдік-процестік кодексінде "
        "(ҚР ӘРПК) белгіленген тәртіппен және мерзімдерде жоғары тұрған органға — Алматы қаласы Полиция "
        "департаментіне — немесе сотқа шағымдануға болады.",
        "follow_up": "Нұсқаманың орындалуын бақылау тексерісі {date} ж. тағайындалды.",
        "follow_up_unset": "Нұсқаманың орындалуын бақылау тексерісінің күні қосымша белгіленеді.",
        "receipt": "Нұсқаманы объект басшысы (уәкілетті тұлға) алды:",
        "refusal": "Нұсқаманы алудан бас тарту туралы белгі (кім бас тартты, кімнің қатысуымен):",
        "blank_date": "20___ ж. «___» ____________",
        "days_one": "{n} күнтізбелік күн",
        "days_many": "{n} күнтізбелік күн",
        "G": "өрескел",
        "S": "елеулі",
        "M": "елеусіз",
        "am_title": "№ {number} ӨЗГЕРІС",
        "am_subtitle": "{date} ж. № {order} нұсқамаға",
        "am_short": "№ {number} өзгеріс",
        "am_intro": "{date} ж. № {order} нұсқамаға (объект: {school}) мынадай өзгеріс енгізіледі:",
        "am_extend": "№ {n} тармақты орындау мерзімі ұзартылады: бұрынғы мерзім — {old}, "
        "жаңа мерзім — {new}.",
        "am_withdraw": "№ {n} тармақ нұсқамадан алынып тасталады және бақылаудан алынады (бұрынғы орындау "
        "мерзімі — {old}).",
        "am_rest": "Нұсқаманың қалған талаптары өзгеріссіз қалады.",
        "am_ack": "Өзгеріспен таныстырылды — объект басшысы (уәкілетті тұлға):",
    },
}


# The data, worded -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str  # "Surname First Patronymic"
    short: str  # "F.P. Surname", as under a signature
    position: str


@dataclass(frozen=True)
class DocItem:
    position: int
    found: str
    legal_ref: str
    remedy: str
    deadline: str
    degree: str


@dataclass(frozen=True)
class Labels:
    """gettext labels, read once in the document's language."""

    addressee: str
    bin: str
    address: str
    head: str
    basis: str
    period: str
    inspectors: str
    no: str
    found: str
    norm: str
    remedy: str
    deadline: str
    degree: str
    done: str
    reporting: str
    liability: str
    appeal: str
    follow_up: str
    signature: str
    name: str
    date: str
    prepared_by: str
    item: str
    reason: str
    signed: str


@dataclass(frozen=True)
class OrderDocument:
    lang: str
    labels: Labels
    number: str
    title: str
    subtitle: str
    short: str
    issuer: str
    district: str
    place: str
    issued_on: str
    school: str
    bin: str
    address: str
    head: str
    basis: str
    period: str
    inspectors: list[Person]
    intro: str
    items: list[DocItem]
    reporting: str
    liability: str
    appeal: str
    follow_up: str
    chief: Person
    prepared_by: Person | None
    receipt: str
    refusal: str
    blank_date: str


@dataclass(frozen=True)
class AmendmentDocument:
    lang: str
    labels: Labels
    title: str
    subtitle: str
    short: str
    issuer: str
    district: str
    place: str
    made_on: str
    intro: str
    item: str
    change: str
    reason: str
    rest: str
    signed_by: Person
    ack: str
    blank_date: str


def _labels() -> Labels:
    return Labels(
        addressee=_("Addressee"),
        bin=_("BIN"),
        address=_("Address"),
        head=_("Head"),
        basis=_("Basis"),
        period=_("Period of the check"),
        inspectors=_("The check was made by"),
        no=_("No."),
        found=_("Violation found (what and where)"),
        norm=_("Violated norm"),
        remedy=_("Required remedy"),
        deadline=_("Deadline"),
        degree=_("Degree"),
        done=_("Mark of completion"),
        reporting=_("Reporting on completion"),
        liability=_("Liability"),
        appeal=_("Appeal"),
        follow_up=_("Follow-up check"),
        signature=_("signature"),
        name=_("surname, initials"),
        date=_("date"),
        prepared_by=_("Prepared by"),
        item=_("Item of the order"),
        reason=_("Reason"),
        signed=_("Signed"),
    )


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ALMATY).date()
    return value.strftime("%d.%m.%Y")


def _person(user) -> Person:
    if user is None:
        return Person("", "", "")
    surname = user.last_name.strip()
    given = user.first_name.split()
    name = " ".join([surname, *given]) or user.username
    initials = "".join(f"{part[0]}." for part in given)
    short = f"{initials} {surname}".strip() if surname else name
    return Person(name, short, user.position.strip() or user.get_role_display())


def _issuer(district) -> str:
    if district.police_office:
        return district.police_office
    return _("Police office of %(name)s") % {"name": district.name}


def _name(obj, lang: str) -> str:
    return getattr(obj, f"name_{lang}", "") or obj.name_ru


def _days(n: int, words: dict[str, str]) -> str:
    key = "days_one" if n % 10 == 1 and n % 100 != 11 else "days_many"
    return words[key].format(n=n)


def _nb(text: str) -> str:
    """Typography of official texts: "№" and "г." never part from what follows, nor a dash from the word
    before it."""
    return text.replace("№ ", "№\u00a0").replace("г. ", "г.\u00a0").replace(" — ", "\u00a0— ")


def _say(words: dict[str, str], key: str, **values) -> str:
    return _nb(words[key].format(**values))


def _check_language(lang: str) -> None:
    if lang not in DOCUMENT_LANGUAGES:
        raise ValueError(f"documents are issued in {', '.join(DOCUMENT_LANGUAGES)}, not {lang!r}")


def order_document(*, order: Order) -> OrderDocument:
    """Everything the order's documents show, worded in the order's language. Call it inside
    `translation.override(order.language)`: the labels are read in the active language."""
    order = Order.objects.select_related(
        "school", "district", "inspection__inspector", "issued_by", "drafted_by"
    ).get(pk=order.pk)
    if order.seq is None or order.issued_at is None or order.issued_by is None:
        raise ValueError("only an issued order has documents")
    lang = order.language
    _check_language(lang)
    words = WORDING[lang]
    inspection = order.inspection
    school = order.school
    issuer = _issuer(order.district)
    inspectors = [_person(inspection.inspector)] if inspection.inspector else []
    inspectors += [_person(u) for u in inspection.co_inspectors.order_by("last_name", "first_name", "id")]
    start = inspection.started_at or inspection.planned_on
    end = inspection.submitted_at or start
    period = (
        _day(start) if _day(start) == _day(end) else _say(words, "period", start=_day(start), end=_day(end))
    )
    items = [
        DocItem(
            position=item.position,
            found=item.found,
            legal_ref=item.legal_ref or "—",
            remedy=item.remedy,
            deadline=_day(item.deadline),
            degree=words.get(item.severity, item.severity),
        )  # fmt: skip
        for item in order.items.order_by("position")
    ]
    if order.follow_up_on:
        follow_up = _say(words, "follow_up", date=_day(order.follow_up_on))
    else:
        follow_up = _say(words, "follow_up_unset")
    drafter = _person(order.drafted_by)
    return OrderDocument(
        lang=lang,
        labels=_labels(),
        number=order.number,
        title=_say(words, "title", number=order.number),
        subtitle=_say(words, "subtitle"),
        short=_say(words, "short", number=order.number),
        issuer=issuer,
        district=_name(order.district, lang),
        place=_say(words, "place", city=order.district.city or "Алматы"),
        issued_on=_say(words, "date", date=_day(order.issued_at)),
        school=_nb(_name(school, lang)),
        bin=school.bin,
        address=school.address,
        head=school.head_name or "—",
        basis=_say(words, "basis", act=inspection.act_number, date=_day(inspection.approved_at)),
        period=period,
        inspectors=inspectors,
        intro=_say(words, "intro"),
        items=items,
        reporting=_say(words, "reporting", issuer=issuer, days=_days(order.report_by_days, words)),
        liability=_say(words, "liability"),
        appeal=_say(words, "appeal"),
        follow_up=follow_up,
        chief=_person(order.issued_by),
        prepared_by=drafter if order.drafted_by_id != order.issued_by_id else None,
        receipt=_say(words, "receipt"),
        refusal=_say(words, "refusal"),
        blank_date=_say(words, "blank_date"),
    )


def amendment_document(*, amendment: Amendment) -> AmendmentDocument:
    """The amendment, worded in its order's language; call it inside `translation.override`."""
    amendment = Amendment.objects.select_related("order__school", "order__district", "item", "by").get(
        pk=amendment.pk
    )
    order = amendment.order
    lang = order.language
    _check_language(lang)
    words = WORDING[lang]
    item = amendment.item
    if amendment.kind == Amendment.Kind.EXTEND:
        change = _say(
            words,
            "am_extend",
            n=item.position,
            old=_day(amendment.old_deadline),
            new=_day(amendment.new_deadline),
        )
    else:
        change = _say(words, "am_withdraw", n=item.position, old=_day(amendment.old_deadline))
    order_date = _day(order.issued_at)
    return AmendmentDocument(
        lang=lang,
        labels=_labels(),
        title=_say(words, "am_title", number=amendment.number),
        subtitle=_say(words, "am_subtitle", order=order.number, date=order_date),
        short=_say(words, "am_short", number=amendment.number),
        issuer=_issuer(order.district),
        district=_name(order.district, lang),
        place=_say(words, "place", city=order.district.city or "Алматы"),
        made_on=_say(words, "date", date=_day(amendment.at)),
        intro=_say(words, "am_intro", order=order.number, date=order_date, school=_name(order.school, lang)),
        item=_nb(f"№ {item.position}. {item.found}"),
        change=change,
        reason=amendment.reason,
        rest=_say(words, "am_rest"),
        signed_by=_person(amendment.by),
        ack=_say(words, "am_ack"),
        blank_date=_say(words, "blank_date"),
    )


# PDF ------------------------------------------------------------------------------------------------------


def _order_pdf(doc: OrderDocument) -> bytes:
    return render_pdf(render_to_string("documents/order.html", {"doc": doc, "lang": doc.lang}))


def order_pdf(*, order: Order) -> bytes:
    with translation.override(order.language):
        return _order_pdf(order_document(order=order))


def amendment_pdf(*, amendment: Amendment) -> bytes:
    """The amendment as a one-page PDF in its order's language."""
    with translation.override(amendment.order.language):
        doc = amendment_document(amendment=amendment)
        return render_pdf(render_to_string("documents/amendment.html", {"doc": doc, "lang": doc.lang}))


# DOCX -----------------------------------------------------------------------------------------------------

DOCX_FONT = "Times New Roman"  # the usual font of official documents; it has every Kazakh letter
DOCX_LANG = {"ru": "ru-RU", "kk": "kk-KZ"}
# Column widths in millimetres, of 170 mm of text width.
ITEM_COLUMNS = (10, 36, 25, 36, 20, 24, 19)
DEADLINE_COLUMN = 4
FACT_COLUMNS = (50, 120)
SIGNATURE_COLUMNS = (80, 45, 45)
SIGN_LINE_COLUMNS = (40, 6, 58, 6, 60)


def _table(document, widths: tuple[float, ...], *, rows: int = 0, borders: bool = False):
    """A table of fixed column widths: the grid for LibreOffice, each cell's width for Word."""
    table = document.add_table(rows=rows, cols=len(widths))
    table.autofit = False
    if borders:
        table.style = "Table Grid"
    else:
        _no_borders(table)
    for column, mm in zip(table.columns, widths, strict=True):
        column.width = Mm(mm)
    for row in table.rows:
        _widths(row, widths)
    return table


def _widths(row, widths: tuple[float, ...]) -> None:
    for cell, mm in zip(row.cells, widths, strict=True):
        cell.width = Mm(mm)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _keep_row_together(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    tr_pr.append(cant_split)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _cell_text(cell, text: str, *, bold: bool = False, size: float | None = None, align=None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)


def _bottom_border(cell) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    tc_pr.append(borders)


def _page_number(paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _new_docx(lang: str, title: str, author: str):
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(15)
    section.top_margin, section.bottom_margin = Mm(18), Mm(18)
    normal = document.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(11)
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), DOCX_FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), DOCX_LANG[lang])
    r_pr.append(language)
    normal.paragraph_format.space_after = Pt(3)
    properties = document.core_properties
    properties.title = title
    properties.author = author
    properties.language = DOCX_LANG[lang]
    return document


def _paragraph(document, text: str = "", *, bold=False, size=None, align=None, after=None, before=None):
    paragraph = document.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    if before is not None:
        paragraph.paragraph_format.space_before = Pt(before)
    return paragraph


def _head(document, *, issuer: str, district: str, title: str, subtitle: str, place: str, on: str) -> None:
    _paragraph(document, issuer.upper(), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(document, district, size=9, align=WD_ALIGN_PARAGRAPH.CENTER, after=10)
    _paragraph(document, title, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, after=0, before=6)
    _paragraph(document, subtitle, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=8)
    line = _table(document, (85, 85), rows=1)
    _cell_text(line.rows[0].cells[0], place)
    _cell_text(line.rows[0].cells[1], on, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, after=2)


def _facts(document, rows: list[tuple[str, str]]) -> None:
    table = _table(document, FACT_COLUMNS)
    for label, value in rows:
        row = table.add_row()
        _widths(row, FACT_COLUMNS)
        cells = row.cells
        _cell_text(cells[0], label, size=10)
        _cell_text(cells[1], value)


def _signature(document, person: Person, labels: Labels, *, extra: str = "") -> None:
    top, hint = _table(document, SIGNATURE_COLUMNS, rows=2).rows
    for cell in top.cells:
        cell.vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM
    _cell_text(top.cells[0], person.position[:1].upper() + person.position[1:])
    _bottom_border(top.cells[1])
    _cell_text(top.cells[2], person.short, bold=True)
    _cell_text(hint.cells[0], extra, size=8)
    _cell_text(hint.cells[1], labels.signature, size=8, align=WD_ALIGN_PARAGRAPH.CENTER)


def _receipt_lines(document, labels: Labels, blank_date: str) -> None:
    # Signature, a gap, the name, a gap, the date: the gaps keep the two lines apart.
    top, hint = _table(document, SIGN_LINE_COLUMNS, rows=2).rows
    for cell in top.cells:
        cell.vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM
    _bottom_border(top.cells[0])
    _bottom_border(top.cells[2])
    _cell_text(top.cells[4], blank_date, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for column, text in ((0, labels.signature), (2, labels.name), (4, labels.date)):
        _cell_text(hint.cells[column], text, size=8, align=WD_ALIGN_PARAGRAPH.CENTER)


def _footer(document, short: str) -> None:
    footer = document.sections[0].footer.paragraphs[0]
    run = footer.add_run(f"{short} · ")
    run.font.size = Pt(8)
    _page_number(footer)


def _order_docx(doc: OrderDocument) -> bytes:
    labels = doc.labels
    document = _new_docx(doc.lang, doc.title, doc.issuer)
    _footer(document, doc.short)
    _head(
        document, issuer=doc.issuer, district=doc.district, title=doc.title, subtitle=doc.subtitle,
        place=doc.place, on=doc.issued_on,
    )  # fmt: skip
    inspectors = "\n".join(f"{p.name}, {p.position}" for p in doc.inspectors) or "—"
    _facts(
        document,
        [
            (labels.addressee, doc.school),
            (labels.bin, doc.bin),
            (labels.address, doc.address),
            (labels.head, doc.head),
            (labels.basis, doc.basis),
            (labels.period, doc.period),
            (labels.inspectors, inspectors),
        ],
    )
    _paragraph(document, doc.intro, before=8, after=6).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    headers = (
        labels.no, labels.found, labels.norm, labels.remedy, labels.deadline, labels.degree, labels.done
    )  # fmt: skip
    table = _table(document, ITEM_COLUMNS, rows=1, borders=True)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head_row = table.rows[0]
    _repeat_header(head_row)
    for cell, text in zip(head_row.cells, headers, strict=True):
        _cell_text(cell, text, bold=True, size=8)
    for item in doc.items:
        row = table.add_row()
        _widths(row, ITEM_COLUMNS)
        _keep_row_together(row)
        values = (
            str(item.position), item.found, item.legal_ref, item.remedy, item.deadline, item.degree, ""
        )  # fmt: skip
        for column, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            _cell_text(cell, text, size=9, bold=column == DEADLINE_COLUMN)

    for heading, text in (
        (labels.reporting, doc.reporting),
        (labels.liability, doc.liability),
        (labels.appeal, doc.appeal),
        (labels.follow_up, doc.follow_up),
    ):
        _paragraph(document, heading, bold=True, before=8, after=2)
        _paragraph(document, text).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    _paragraph(document, before=10)
    _signature(document, doc.chief, labels)
    if doc.prepared_by:
        _paragraph(
            document, f"{labels.prepared_by}: {doc.prepared_by.name}, {doc.prepared_by.position}", size=8,
            before=6,
        )  # fmt: skip
    # Made at issue, before delivery: a line for the head's receipt and one for a note of refusal.
    _paragraph(document, doc.receipt, bold=True, before=14, after=0)
    _receipt_lines(document, labels, doc.blank_date)
    _paragraph(document, doc.refusal, bold=True, before=10, after=0)
    _receipt_lines(document, labels, doc.blank_date)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def order_docx(*, order: Order) -> bytes:
    with translation.override(order.language):
        return _order_docx(order_document(order=order))


def order_documents(*, order: Order) -> tuple[bytes, bytes]:
    """The PDF (for print) and the DOCX (for editing) of an issued order, in the order's language."""
    with translation.override(order.language):
        doc = order_document(order=order)
        return _order_pdf(doc), _order_docx(doc)
