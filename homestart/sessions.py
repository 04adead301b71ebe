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

import functools
import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import InterfaceError, OperationalError, router
from django.utils import timezone

from .fixed_query import FixedQuery

log = logging.getLogger("homestart.database")


@functools.cache
def _current_session(model: type[AbstractBaseSession]) -> FixedQuery:
    """Django's own query for a session not yet expired, compiled once: every request asks it."""
    return FixedQuery(
        lambda session_key, now: model.objects.filter(session_key=session_key, expire_date__gt=now).values_list(
            "session_key", "session_data", "expire_date"
        ),
        session_key=model._meta.get_field("session_key"),
        now=model._meta.get_field("expire_date"),
    )


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> AbstractBaseSession | None:
        """Django's: the session if it has not expired, else none and a new key on saving."""
        model = self.model
        using = router.db_for_read(model)
        found = _current_session(model).rows(using, session_key=self.session_key, now=timezone.now())
        if not found:
            self._session_key = None
            return None
        return model.from_db(using, ["session_key", "session_data", "expire_date"], found[0])

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            if not isinstance(error.__context__, (OperationalError, InterfaceError)):
                raise
            log.warning("session changes of this request not saved: the database connection failed")
