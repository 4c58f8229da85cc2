"""`qorgau demo`: load the demo city once, then print the demo logins."""

import time

from django.core.management.base import BaseCommand, CommandError

from qorgau.core import demo


class Command(BaseCommand):
    help = (
        "Load the demo city of Almaty (schools, equipment, security firms and a login for every role) "
        "unless data is already there, then print the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schools",
            type=int,
            default=demo.DEFAULT_SCHOOLS,
            help=f"How many schools to generate, e.g. 10000 for benchmarks (default {demo.DEFAULT_SCHOOLS}).",
        )

    def handle(self, *args, schools: int, **options):
        if schools < demo.MIN_SCHOOLS:
            raise CommandError(f"--schools must be at least {demo.MIN_SCHOOLS}: one school per district.")
        if demo.demo_exists():
            self.stdout.write(
                "Demo data is already present: nothing was created. To build it again, start from an empty "
                "database (e.g. remove var/qorgau.sqlite3 and run migrate)."
            )
        else:
            started = time.perf_counter()
            made = demo.demo_create(schools=schools)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo city created in {time.perf_counter() - started:.1f} s: {made.schools:,} schools, "
                    f"{made.cameras:,} cameras ({made.cameras_linked:,} linked to the police centre), "
                    f"{made.panic_buttons:,} panic buttons, {made.access_points:,} access points, "
                    f"{made.guard_posts:,} guard posts, {made.firms} security firms, "
                    f"{made.contracts:,} guard contracts, {made.users} users."
                )
            )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for every one: {demo.DEMO_PASSWORD}):")
        self.stdout.write(demo.logins_table(demo.demo_logins()))
