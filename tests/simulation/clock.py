"""The simulation's clock: Django's idea of "now", moved forward on demand.

The product reads time only through ``django.utils.timezone`` (``timezone.now()``,
``timezone.localdate()`` and model defaults ``default=timezone.now``). All of them end
in one call, ``datetime.now(...)`` on the ``datetime`` class that module imported. The
clock replaces that one name, in that one module, with a subclass whose ``now()`` is
shifted: every reader of Django's clock moves together (services, forms, model
defaults, session expiry), and nothing else in the process does (``time.time()``,
which the sign-in throttles and the session idle timer use, keeps real time; the
simulation signs people in afresh at every step, as people come back to work).

The clock starts at a fixed moment (so a derandomized run is the same run whatever
day it is run on) and then runs at real speed, plus whatever ``advance()`` added.
"""

from __future__ import annotations

import datetime
from unittest import mock

from django.utils import timezone as django_timezone

_REAL = datetime.datetime


class _LooksLikeDatetime(type):
    # The replaced name is also used for isinstance() checks (template_localtime):
    # every real datetime must still count as one.
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _REAL)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, _REAL)


class Clock:
    def __init__(self, start: datetime.datetime) -> None:
        assert start.tzinfo is not None, "start the clock at an aware moment"
        self._offset = start - _REAL.now(datetime.UTC)
        clock = self

        class ShiftedDatetime(_REAL, metaclass=_LooksLikeDatetime):
            @classmethod
            def now(cls, tz=None):
                return _REAL.now(tz) + clock._offset

        self._patch = mock.patch.object(django_timezone, "datetime", ShiftedDatetime)

    def __enter__(self) -> Clock:
        self._patch.start()
        return self

    def __exit__(self, *exc) -> None:
        self._patch.stop()

    def advance(self, delta: datetime.timedelta) -> None:
        assert delta >= datetime.timedelta(0), "time only moves forward"
        self._offset += delta

    def now(self) -> datetime.datetime:
        return django_timezone.now()

    def today(self) -> datetime.date:
        return django_timezone.localdate()
