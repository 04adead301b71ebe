"""Run the retention schedule (§8.8).

``--propose`` puts every file whose retention period has ended on the list for
destruction (as the named manager). Then every destruction that two different
people have authorised is carried out, one file per transaction, with progress
output. Running it again does nothing more; if it is interrupted, the files
already destroyed stay destroyed (with their certificates) and the next run
carries on with the rest. Every run also removes any key file of a destroyed
file that is still in the key store (the process died between the commit and
the unlink): docs/backups.md.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from access_log import partitions
from homestart.models import User
from records.backups.reconcile import reconcile_key_store
from records.models import Destruction
from records.retention import selectors, services


class Command(BaseCommand):
    help = "Propose files due for destruction and carry out authorised destructions (§8.8)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", required=True, help="Who carries out the destruction.")
        parser.add_argument("--propose", action="store_true", help="Also propose files whose retention has ended.")

    def handle(self, *args, username: str, propose: bool, **options) -> None:
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {username!r}.")
        if propose:
            proposed = 0
            for due in selectors.due_for_destruction(user=actor):
                if due.on_hold or due.destruction is not None:
                    continue
                obj = services._file_for(due.kind, due.file_id)
                try:
                    services.destruction_propose(kind=due.kind, obj=obj, actor=actor)
                except ValidationError as error:
                    self.stderr.write(f"{due.reference}: {' '.join(error.messages)}")
                else:
                    proposed += 1
            self.stdout.write(f"Proposed {proposed} file(s) for destruction; each needs two authorisations.")
        todo = list(
            Destruction.objects.filter(status=Destruction.Status.AUTHORISED).order_by("due_on", "file_reference")
        )
        if not todo:
            self.stdout.write("Nothing to destroy: no authorised destruction is waiting.")
            self._check_key_store()
            self._access_log(actor)
            return
        for number, destruction in enumerate(todo, start=1):
            try:
                certificate = services.destruction_carry_out(destruction=destruction, actor=actor)
            except ValidationError as error:
                self.stderr.write(f"[{number} of {len(todo)}] {destruction.file_reference}: {' '.join(error.messages)}")
                continue
            self.stdout.write(
                f"[{number} of {len(todo)}] {certificate.file_reference}: data key destroyed, certificate issued."
            )
        self._check_key_store()
        self._access_log(actor)
        self.stdout.write(self.style.SUCCESS("Retention run complete."))
        self.stdout.write("Take a backup now, so that the newest backup carries the destruction register.")
        self.stdout.write(
            "Then rotate the master key and replace the off-site copy of the key store "
            "(docs/backups.md, 'After each retention run')."
        )

    def _check_key_store(self) -> None:
        """A key file left behind by a destruction whose process died after its commit is removed now."""
        report = reconcile_key_store()
        if report["removed"] or report["marked_destroyed"]:
            self.stdout.write(
                f"Key store: removed {report['removed']} key file(s) of destroyed files left from an earlier run; "
                f"{report['marked_destroyed']} key(s) marked destroyed from the key store's tombstones."
            )

    def _access_log(self, actor: User) -> None:
        """The access log's months (records/retention/access_log.py): done here when this run
        has the owner's connection, else left to ``access_log_retention`` run as the owner."""
        if not partitions.is_partitioned():
            return
        if not partitions.may_manage():
            self.stdout.write(
                "Access log: run `manage.py access_log_retention` as the owner of the tables to create the coming "
                "months and drop those past their retention period."
            )
            return
        from records.retention import access_log

        for record in access_log.run(actor=actor):
            self.stdout.write(f"Access log, {record.month:%B %Y}: {record.get_act_display()}.")
