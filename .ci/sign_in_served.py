"""Wait for a server to answer, then check it serves the sign-in form: `python sign_in_served.py URL`.

Used by `make demo-check` (the demo served with another Python); exits non-zero on failure.
"""

import sys
import time
import urllib.request

url = sys.argv[1]
deadline = time.monotonic() + 120
while True:
    try:
        with urllib.request.urlopen(url, timeout=10) as page:  # noqa: S310 - a local URL we built
            status, body = page.status, page.read().decode()
        break
    except OSError as error:
        if time.monotonic() > deadline:
            sys.exit(f"demo-check: nothing answered at {url}: {error}")
        time.sleep(1)
if status != 200 or 'name="password"' not in body:
    sys.exit(f"demo-check: no sign-in form at {url} (status {status})")
print(f"demo-check: the sign-in page is served at {url}")
