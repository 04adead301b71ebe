# ruff: noqa: E501 - each pair is the text as found, on one line
"""(URL name, text) still in English on a Welsh page today: the known gaps of the Welsh sweep
(tests/site/test_welsh_sweep.py, issue 17.8).

Strings that other branches are marking now (cyt: the templates; cypy1, cypy2: the apps' Python,
model and enum labels, form labels, messages). After merging them, run the sweep: it names each
pair that is in Welsh now, to be removed here (or rewrite the list with
tools/welsh_known_english.py). Shrink this list; never grow it: new English on a Welsh page is
marked for translation instead. In the texts, numbers are written # and data (names,
references, notes) ….
"""

from __future__ import annotations

# Text found on many pages (the header, the menu and the footer: base.html and
# homestart/context_processors.py): "*" stands for any page.
EVERYWHERE = "*"

KNOWN_ENGLISH: set[tuple[str, str]] = {
    ("records:personnel_file", "Coordinator"),
}
