"""Rewrite the Welsh sweep's list of known English (issue 17.8, docs/welsh.md).

    WELSH_SWEEP_FOUND=/tmp/found.json .venv/bin/python -m pytest tests/site/test_welsh_sweep.py
    .venv/bin/python tools/welsh_known_english.py /tmp/found.json
    .venv/bin/ruff format tests/site/welsh_known_english.py

Writes tests/site/welsh_known_english.py from the (URL name, text) pairs the sweep found: a
text found on four kinds of page or more is listed once for every page ("*"). Use it after a
merge has put strings into Welsh, and read the diff: the list must only shrink. English that
stays by design goes to ENGLISH_ON_PURPOSE in the test, not here. A text with a number in it
may come and go with the date or the minute (the sweep does not ask for it to be found): one
run may miss it, so keep such a pair by hand when the diff drops it and the page is unchanged.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "tests" / "site" / "welsh_known_english.py"
EVERYWHERE_FROM = 4  # kinds of page

HEAD = '''# ruff: noqa: E501 - each pair is the text as found, on one line
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
'''


def main(found_file: str) -> None:
    sys.path.insert(0, str(ROOT))
    on_purpose = _on_purpose()
    found = {(name, text) for name, text in json.loads(Path(found_file).read_text(encoding="utf-8"))}
    found -= on_purpose
    names: dict[str, set[str]] = collections.defaultdict(set)
    for name, text in found:
        names[text].add(name)
    everywhere = sorted(text for text, where in names.items() if len(where) >= EVERYWHERE_FROM)
    pairs = sorted((name, text) for name, text in found if text not in everywhere)
    lines = [f"    (EVERYWHERE, {text!r})," for text in everywhere]
    lines += [f"    ({name!r}, {text!r})," for name, text in pairs]
    TARGET.write_text(HEAD + "\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(everywhere)} texts on every page, {len(pairs)} pairs")


def _on_purpose() -> set[tuple[str, str]]:
    import ast

    source = (ROOT / "tests" / "site" / "test_welsh_sweep.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "ENGLISH_ON_PURPOSE":
            assert node.value is not None
            return set(ast.literal_eval(node.value))
    return set()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
