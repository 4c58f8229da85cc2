"""Parents' concerns for the demo city: a handful in the first districts' queues, in every status, written
through the real services at moments in the past days (with the demo history's clock)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone, translation

from qorgau.accounts.models import User
from qorgau.public import services
from qorgau.registry.models import School

# (days ago, what, where, when, contact, what the district did: (action, comment) steps)
CONCERNS = [
    (
        1, "Калитка со стороны стадиона открыта весь день, во двор заходят посторонние.",
        "Калитка у стадиона", "Каждый день с утра", "+7 701 555 12 34", [],
    ),
    (
        2, "На входе охранник не спрашивает, к кому идёт посетитель, журнал не ведётся.", "Главный вход",
        "На этой неделе, утром", "", [],
    ),
    (
        6, "Во дворе не горит освещение, вечером после второй смены темно.", "Школьный двор",
        "Всю последнюю неделю после 18:00", "mama.aigerim@example.kz",
        [("note", "Позвонил заместителю директора по безопасности: обещали заменить лампы до пятницы.")],
    ),
    (
        9, "Камера над запасным выходом разбита и, похоже, не работает уже месяц.", "Запасной выход",
        "С начала месяца", "+7 777 410 20 30",
        [("inspection", "Обращение родителя: камера над запасным выходом, проверить видеонаблюдение")],
    ),
    (
        14, "Во время уроков у ворот стоит чужая машина, водитель разговаривает с детьми.", "Ворота",
        "Две недели назад, около 13:00", "",
        [("dismiss", "Проверено участковым: это водитель школьного автобуса, договор с акиматом.")],
    ),
    (
        20, "Учебная эвакуация в этом году не проводилась, дети не знают, куда выходить при тревоге.",
        "Вся школа", "С сентября", "+7 705 300 40 50",
        [
            ("note", "Запросили у школы график учебных эвакуаций."),
            ("close", "Школа провела учебную эвакуацию, акт получен; следующая — по графику."),
        ],
    ),
]  # fmt: skip
DISTRICTS = 3  # the first districts' queues get concerns; the rest stay empty, as many would


def demo_concerns_create(*, seed: int, district_codes: list[str]) -> int:
    """The demo's concerns; the number written."""
    from qorgau.core.demo_history import _Clock

    rng = random.Random(seed + 6)
    now = timezone.now()
    soon = timezone.localdate() + dt.timedelta(days=2)  # the unplanned inspection is still ahead
    written = 0
    for code in district_codes[:DISTRICTS]:
        c = code.lower()
        inspector = User.objects.filter(username=f"inspector_{c}").select_related("organisation").first()
        chief = User.objects.filter(username=f"chief_{c}").select_related("organisation").first()
        schools = list(School.objects.filter(district__code=code).order_by("id"))
        if inspector is None or chief is None or not schools:
            continue
        for days, what, where, when, contact, steps in CONCERNS:
            school = rng.choice(schools)
            moment = now - dt.timedelta(days=days, hours=rng.randint(1, 8))
            with _Clock(moment), translation.override("ru"):
                concern = services.concern_report(
                    school=school, what=what, where=where, when=when, contact=contact, ip=None
                )
            for number, (action, comment) in enumerate(steps, start=1):
                actor = chief if action == "dismiss" else inspector
                with _Clock(moment + dt.timedelta(hours=20 * number)), translation.override("ru"):
                    if action == "note":
                        services.concern_note(actor=actor, concern=concern, comment=comment)
                    elif action == "inspection":
                        services.concern_start_inspection(
                            actor=actor, concern=concern, reason=comment, planned_on=soon
                        )
                    elif action == "dismiss":
                        services.concern_dismiss(actor=actor, concern=concern, reason=comment)
                    else:
                        services.concern_close(actor=actor, concern=concern, comment=comment)
            written += 1
    return written
