"""Write or check docs/policy-map.md (``make policy-map``): every clause of the Confidentiality
Policy, how the product enforces it and the tests that prove it (homestart/policy_map.py)."""

from django.core.management.base import BaseCommand, CommandError

from homestart import policy_map


class Command(BaseCommand):
    help = "Write docs/policy-map.md from the policy table and the tests' policy markers, or check it is current."

    def add_arguments(self, parser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--write", action="store_true", help="Write docs/policy-map.md.")
        mode.add_argument("--check", action="store_true", help="Fail if docs/policy-map.md is not current.")

    def handle(self, *args, write: bool, check: bool, **options) -> None:
        table = policy_map.rows()
        text = policy_map.render_markdown(table)
        gaps = [f"§{row.clause.number}: no enforcement" for row in table if not row.enforcement]
        gaps += [f"§{row.clause.number}: no test" for row in table if not row.tests]
        path = policy_map.MAP_FILE
        if write:
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {path.name}: {len(table)} clauses.")
        elif path.read_text(encoding="utf-8") != text:
            raise CommandError(f"{path} is not current: run 'make policy-map' and commit it.")
        else:
            self.stdout.write(f"{path.name} is current.")
        for gap in gaps:
            self.stderr.write(f"Warning: {gap}")
