"""`qorgau demo`: load the demo city once, then print the demo logins."""

import argparse
import time

from django.core.management.base import BaseCommand, CommandError

from qorgau.core import demo


class Command(BaseCommand):
    help = (
        "Load the demo city of Almaty (schools, equipment, security firms and a login for every role) and "
        "its season of inspections and orders, unless data is already there; then print the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schools",
            type=int,
            default=None,
            help=f"How many schools to generate, e.g. 10000 for benchmarks (default {demo.DEFAULT_SCHOOLS}). "
            "A city bigger than the standard one gets five years of history written in bulk (--no-national "
            "to leave it out); a smaller one gets none unless --history is given.",
        )
        parser.add_argument(
            "--history",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Also write the season's campaign, inspections and orders through the services (default: "
            "only for the standard demo city).",
        )

        parser.add_argument(
            "--national",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Write five school years of inspections, answers, findings and orders in bulk (benchmarks) "
            f"(default: for cities of more than {demo.DEFAULT_SCHOOLS} schools without --history).",
        )

    def handle(self, *args, schools: int | None, history: bool | None, national: bool | None, **options):
        if national is None:
            national = schools is not None and schools > demo.DEFAULT_SCHOOLS and not history
        if history is None:
            history = schools is None
        if schools is None:
            schools = demo.DEFAULT_SCHOOLS
        if schools < demo.MIN_SCHOOLS:
            raise CommandError(f"--schools must be at least {demo.MIN_SCHOOLS}: one school per district.")
        if demo.demo_exists():
            self.stdout.write(
                "Demo data is already present: nothing was created. To build it again, start from an empty "
                "database (e.g. remove var/qorgau.sqlite3 and run migrate)."
            )
        else:
            started = time.perf_counter()
            made = demo.demo_create(schools=schools, history=history, national=national)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo city created in {time.perf_counter() - started:.1f} s: {made.schools:,} schools, "
                    f"{made.cameras:,} cameras ({made.cameras_linked:,} linked to the police centre), "
                    f"{made.panic_buttons:,} panic buttons, {made.access_points:,} access points, "
                    f"{made.guard_posts:,} guard posts, {made.firms} security firms, "
                    f"{made.contracts:,} guard contracts, {made.users} users."
                )
            )
            if history:
                self.stdout.write(self.style.SUCCESS(history_line()))
            if made.national is not None:
                self.stdout.write(self.style.SUCCESS(made.national.line()))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for every one: {demo.DEMO_PASSWORD}):")
        self.stdout.write(demo.logins_table(demo.demo_logins()))


def history_line() -> str:
    from qorgau.core.demo_history import history_summary

    h = history_summary()
    i, o, items = h.inspections, h.orders, h.items
    return (
        f"History: inspections {i['approved']} approved, {i['submitted']} submitted, {i['returned']} "
        f"returned, {i['in_progress']} in progress, {i['planned']} planned; "
        f"orders {o['issued'] + o['closed']} issued ({o['closed']} closed), {o['draft']} drafts; "
        f"order items {items['open']} open "
        f"({items['overdue']} overdue), {items['reported']} awaiting verification, {items['done']} done, "
        f"{items['withdrawn']} withdrawn; {h.reports} school reports, {h.amendments} amendments, "
        f"{h.notifications} notifications."
    )
