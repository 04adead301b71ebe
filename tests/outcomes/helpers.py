"""Recording scores through the service, as a coordinator at a visit would."""

from __future__ import annotations

import datetime

from access_log import gate
from homestart.rules import Section
from outcomes import services
from outcomes.models import Area, Occasion


def score(
    family, actor, occasion=Occasion.START, *, on: datetime.date, scores=(2, 2, 2, 2), needs=("isolation",), **kw
):
    access = gate.open_family(user=actor, reference=family.reference, section=Section.OUTCOMES, for_change=True)
    return services.assessment_record(
        access=access,
        actor=actor,
        occasion=occasion,
        assessed_on=on,
        scores=dict(zip([a.value for a in Area], scores, strict=True)),
        needs=list(needs),
        **kw,
    )
