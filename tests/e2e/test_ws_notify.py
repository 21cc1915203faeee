"""Issue 14, item 13: department staff get an e-mail when mail lands in their inbox, immediately or as a
daily digest (each user's choice), through the SMTP settings, with no letter content or personal data,
only a link. A real SMTP server (aiosmtpd) started by the test, a real Celery worker and API."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_string, policy
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import REPO, Stack, stack
from tests.support.servers import free_port
from tests.support.workstation import LETTERS, add_item, add_user, item_state, login, stack_db

pytestmark = pytest.mark.e2e
PUBLIC = "http://posthantering.kommun.example"


class Inbox:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        return [message_from_string(body, policy=policy.default) for rcpt, body in self.messages if address in rcpt]


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def mailing(tmp_path_factory: pytest.TempPathFactory, smtp: tuple[Inbox, int]) -> Iterator[Stack]:
    settings = {
        "POSTHANTERING_SMTP_HOST": "127.0.0.1",
        "POSTHANTERING_SMTP_PORT": str(smtp[1]),
        "POSTHANTERING_SMTP_FROM": "posthantering@kommun.example",
        "POSTHANTERING_PUBLIC_URL": PUBLIC,
    }
    with stack(Path(tmp_path_factory.mktemp("notify")), **settings) as s:
        for name, role, departments in (
            ("rita", "registrar", None),
            ("hanna", "department", ["HR"]),
            ("otto", "department", ["HR"]),
            ("olle", "department", ["SBN"]),
        ):
            add_user(s, name, role, departments)
        s.start_api()
        s.start_worker(queues="default", concurrency=1)
        yield s


def _run_task(s: Stack, call: str) -> str:
    """Run a task's body in a process of the stack's own (what the worker or the beat would run)."""
    code = f"from workers import tasks; print((tasks.{call}))"
    out = subprocess.run([sys.executable, "-c", code], env=s.env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()[-1]  # the last line: the result (log lines come before)


def _wait_for(inbox: Inbox, address: str, count: int = 1, timeout: float = 60) -> list[Any]:
    deadline = time.monotonic() + timeout
    while len(inbox.to(address)) < count:
        assert time.monotonic() < deadline, f"no e-mail to {address}: {inbox.messages}"
        time.sleep(0.3)
    return inbox.to(address)


def test_department_staff_are_told_by_email_with_only_a_link(
    mailing: Stack, smtp: tuple[Inbox, int], browser: Any
) -> None:
    inbox = smtp[0]
    # hanna chooses immediate e-mail on her settings page; otto a daily digest; olle (SBN) immediate
    hanna = login(browser, mailing.base_url, "hanna")
    hanna.goto(f"{mailing.base_url}/ui/installningar")
    hanna.get_by_label("E-postadress").fill("hanna@kommun.example")
    hanna.get_by_label("Direkt när post kommer").check()
    hanna.get_by_role("button", name="Spara").click()
    hanna.wait_for_load_state()
    assert "sparade" in hanna.locator("#flash").inner_text()
    from services.core.db import session_scope
    from services.core.models import User
    from services.notify import service as notify

    with stack_db(mailing), session_scope() as session:
        ids = {u.name: u.id for u in session.query(User)}
        notify.set_preferences(session, ids["otto"], "otto@kommun.example", "daily")
        notify.set_preferences(session, ids["olle"], "olle@kommun.example", "immediate")

    text = LETTERS["bygglov"] + "\nSökande: Anna Berg, 19811218-9876"
    item = add_item(mailing, text, suggestions=[{"department": "HR", "confidence": 0.6}])
    reg = login(browser, mailing.base_url, "rita")
    reg.goto(f"{mailing.base_url}/ui/mail/{item}")
    reg.keyboard.press("1")  # route to HR; the notice is sent by a Celery task after the commit
    (mail,) = _wait_for(inbox, "hanna@kommun.example")
    assert item_state(mailing, item) == ("routed", "HR")
    body = mail.get_content()
    assert f"{PUBLIC}/ui/mail/{item}" in body and "HR" in mail["Subject"]
    everything = (mail["Subject"] + body).lower()
    for secret in ("bygglov", "carport", "anna berg", "9876", "storgatan"):
        assert secret not in everything
    time.sleep(2)  # the task has finished: nothing for another department, nothing yet for the digest
    assert inbox.to("olle@kommun.example") == [] and inbox.to("otto@kommun.example") == []

    # a redelivered task sends nothing twice; the daily digest goes once, with a count and a link
    results = _run_task(mailing, f"notify_delivered({item}), tasks.notify_digest(), tasks.notify_digest()")
    assert results == "(0, 1, 0)"
    (digest,) = inbox.to("otto@kommun.example")
    body = digest.get_content()
    assert "HR: 1" in body and f"{PUBLIC}/ui/inkorg" in body and "bygglov" not in body.lower()
    assert len(inbox.to("hanna@kommun.example")) == 1
