from __future__ import annotations

from collections.abc import Callable

import pytest

from services.core.db import session_scope
from services.core.errors import Conflict, Forbidden
from services.core.models import User
from services.core.states import FINAL_STATES, MailState, can_transition
from services.mail import discard


@pytest.fixture
def reg(make_user: Callable[..., User]) -> User:
    return make_user("reg", "registrar")


def test_discarded_is_final_and_only_reached_from_review() -> None:
    assert MailState.discarded in FINAL_STATES
    assert can_transition(MailState.needs_review, MailState.discarded)
    assert not can_transition(MailState.routed, MailState.discarded)


def test_tray_lists_advertising_waiting_for_review(reg: User, make_item: Callable[..., int]) -> None:
    ad = make_item(state="needs_review", suggested_department="INGEN", reasons={"tray": "discard"})
    make_item(state="needs_review", suggested_department="SBN")
    make_item(state="routed", suggested_department="INGEN", department_code="KS")
    with session_scope() as s:
        items, total = discard.list_tray(s, reg)
        assert [i.id for i in items] == [ad] and total == 1


def test_one_click_and_bulk_discard(reg: User, make_user: Callable[..., User], make_item: Callable[..., int]) -> None:
    a = make_item(state="needs_review", suggested_department="INGEN")
    b = make_item(state="needs_review", suggested_department="INGEN")
    routed = make_item(state="routed", department_code="SBN")
    with session_scope() as s:
        assert discard.discard_item(s, reg, a, human_seconds=2).state == "discarded"
    with session_scope() as s, pytest.raises(Conflict):
        discard.discard_item(s, reg, routed)
    with session_scope() as s:
        assert discard.discard_many(s, reg, [a, b, routed, 999]) == {"discarded": [b], "skipped": [a, routed, 999]}
    dept_user = make_user("sbn", "department", ["SBN"])
    c = make_item(state="needs_review", suggested_department="INGEN")
    with session_scope() as s, pytest.raises(Forbidden):
        discard.discard_item(s, dept_user, c)
