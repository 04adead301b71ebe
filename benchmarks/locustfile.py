"""Coordinators and volunteers using the product at once (`make load`).

Run by benchmarks/load.py in its own virtualenv; it reads the accounts and the
families each may open from BENCH_LOAD_PLAN (a JSON file written by load.py).
Every simulated person signs in through the sign-in form like a browser, then:

- a coordinator lists the scheme's families, opens files, looks at who opened a
  file, searches by surname (POST) and edits a family member (GET the form, POST
  it back with the version it was opened on);
- a volunteer lists their families and opens them.

A response other than the expected status counts as a failure.
"""

from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["BENCH_LOAD_PLAN"]).read())  # noqa: SIM115
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The version the form was opened on; Django leaves out value="" when a record has no history yet.
VERSION = re.compile(r'name="version"(?: value="([^"]*)")?')


class Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    account: dict

    def on_start(self) -> None:
        page = self.client.get("/sign-in/", name="sign in (form)")
        token = TOKEN.search(page.text).group(1)
        with self.client.post(
            "/sign-in/",
            {"username": self.account["username"], "password": PLAN["password"], "csrfmiddlewaretoken": token},
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")

    def _get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response.text


class Coordinator(Person):
    weight = 2
    account = PLAN["coordinator"]
    started = 0

    def on_start(self) -> None:
        # Each simulated coordinator is a person of their own (their own limits), same files.
        accounts = PLAN.get("coordinators") or [self.account["username"]]
        self.account = {**self.account, "username": accounts[Coordinator.started % len(accounts)]}
        Coordinator.started += 1
        super().on_start()

    @task(4)
    def family_list(self) -> None:
        # The first page, or a page found by key anywhere in the list (?after=<reference>, issue 18)
        after = random.choice([None, *self.account["families"][:20]])  # noqa: S311
        self._get(f"/families/?show=open&after={after}" if after else "/families/", "family list")

    @task(4)
    def open_file(self) -> None:
        ref = random.choice(self.account["families"])  # noqa: S311
        self._get(f"/families/{ref}/", "open a family file")

    @task(1)
    def who_opened(self) -> None:
        ref = random.choice(self.account["families"])  # noqa: S311
        self._get(f"/files/family/{ref}/access-log/", "who opened this file")

    @task(1)
    def search(self) -> None:
        form = self._get("/search/", "search (form)")
        token = TOKEN.search(form).group(1)
        with self.client.post(
            "/search/",
            {
                "q": f"Bench{random.randint(0, 4999)}",  # noqa: S311
                "csrfmiddlewaretoken": token,
            },
            name="search by surname",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task(1)
    def edit_member(self) -> None:
        ref, member = random.choice(self.account["members"])  # noqa: S311
        url = f"/families/{ref}/members/{member}/"
        form = self._get(url, "member form")
        token, version = TOKEN.search(form).group(1), VERSION.search(form).group(1) or ""
        data = {
            "kind": "adult",
            "first_name": random.choice(["Alex", "Sam", "Jo"]),  # noqa: S311
            "last_name": "Bench",
            "relationship": "",
            "version": version,
            "csrfmiddlewaretoken": token,
        }
        with self.client.post(
            url, data, name="save a family member", allow_redirects=False, catch_response=True
        ) as response:
            # 302: saved. 200: the form again, e.g. someone else saved the same person
            # first (the edit-conflict message): expected under load, not an error.
            if response.status_code not in (200, 302):
                response.failure(f"{response.status_code}")


class Volunteer(Person):
    weight = 3
    account = PLAN["volunteer"]

    @task(3)
    def my_families(self) -> None:
        self._get("/my-families/", "volunteer's families")

    @task(2)
    def open_file(self) -> None:
        ref = random.choice(self.account["families"])  # noqa: S311
        self._get(f"/families/{ref}/", "volunteer opens a family")
