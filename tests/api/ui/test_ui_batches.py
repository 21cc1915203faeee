"""The batch pages: list, review with thumbnails, confirm (the layout the page's script builds)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.ui.conftest import csrf_of
from tests.ingest.separation_samples import pile_waiting_for_review


@pytest.fixture
def pile_in_review(database: None, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    return pile_waiting_for_review(monkeypatch)


def test_review_page_shows_thumbnails_and_confirms_with_keyboard_layout(
    browser: Any, ui_user: Any, pile_in_review: tuple[int, int]
) -> None:
    _, batch_id = pile_in_review
    ui_user("rita", "registrar")
    rita = browser("rita")
    listing = rita.get("/ui/buntar")
    assert listing.status_code == 200 and f"/ui/buntar/{batch_id}" in listing.text and "Buntar" in listing.text
    page = rita.get(f"/ui/buntar/{batch_id}")
    assert page.status_code == 200
    assert "Bekräfta delningen" in page.text and "separation.js" in page.text
    assert page.text.count(f"/ui/buntar/{batch_id}/sida/") == 4
    thumb = rita.get(f"/ui/buntar/{batch_id}/sida/0.png")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    opened = page.text.split('name="opened" value="')[1].split('"')[0]
    layout = {"documents": [[0], [2], [3]], "removed": [1], "rotations": {"3": 90}}
    r = rita.post(
        f"/ui/buntar/{batch_id}/bekrafta",
        data={"csrf_token": csrf_of(page.text), "opened": opened, "layout": json.dumps(layout)},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/ui/buntar/{batch_id}"  # no message in the URL
    done = rita.get(f"/ui/buntar/{batch_id}")
    assert "Delningen bekräftad: 3 brev går vidare." in done.text  # the server's flash, shown once
    assert "Bekräfta delningen" not in done.text and done.text.count("/ui/mail/") >= 3
