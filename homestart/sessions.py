"""Database sessions that never turn a committed write into "Bad Request (400)".

Django's database session store saves the session after the view has run and its
transaction committed (the success message lives in the session). If the database
connection drops, or a statement is cancelled, at that moment, the store reports any
database error as "the session was deleted meanwhile", and Django answers 400: a
coordinator whose new family file was committed was told "Bad Request (400)", sent the
form again, and opened a second file. Here a lost connection or a cancelled statement
only loses this request's changes to the session (the person stays signed in with the
session as it was stored); the response the view made (the redirect to the new file)
goes out. A session really deleted meanwhile (signed out in another tab) is still
refused as Django refuses it.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError

log = logging.getLogger("homestart.database")


class SessionStore(DatabaseSessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            if not isinstance(error.__context__, (OperationalError, InterfaceError)):
                raise
            log.warning("session changes of this request not saved: the database connection failed")
