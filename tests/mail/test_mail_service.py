from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from services.core.db import session_scope
from services.core.errors import Conflict, Forbidden, NotFound, StateConflict
from services.core.models import Event, MailItem, User
from services.mail import service
from services.mail.schemas import MailItemOut, MailSummaryOut
from services.mail.service import InvalidRequest

PNR = "19121212-1212"  # Tolvan Tolvansson, Luhn-valid


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "admin": make_user("admin", "admin"),
        "reg": make_user("reg", "registrar"),
        "sbn": make_user("sbn", "department", ["SBN"]),
        "sn": make_user("sn", "department", ["SN"]),
        "viewer": make_user("viewer", "viewer"),
    }


def events(item_id: int) -> list[Event]:
    with session_scope() as s:
        return list(s.scalars(select(Event).where(Event.item_id == item_id).order_by(Event.id)))


def test_route_ack_flow_records_events(people: dict[str, User], make_item: Callable[..., int]) -> None:
    iid = make_item(state="needs_review", suggested_department="SBN", decision="review")
    reg, sbn = people["reg"], people["sbn"]
    with session_scope() as s:
        item = service.route_item(s, reg, iid, "sbn", comment="bygglov", human_seconds=42.5)
        assert item.state == "routed" and item.department_code == "SBN" and item.routed_at
    with session_scope() as s:
        item = service.acknowledge_item(s, sbn, iid, human_seconds=5)
        assert item.state == "acknowledged" and item.acknowledged_at
    with session_scope() as s:
        stored = s.get(MailItem, iid)
        assert stored is not None and stored.decision == "review"
    ev = events(iid)
    assert [(e.action, e.from_state, e.to_state) for e in ev] == [
        ("routed", "needs_review", "routed"),
        ("acknowledged", "routed", "acknowledged"),
    ]
    assert ev[0].actor == f"user:{reg.id}:reg" and ev[0].human_seconds == 42.5
    assert ev[0].detail["comment"] == "bygglov" and ev[0].detail["confirmed_suggestion"] is True
    assert ev[1].actor == f"user:{sbn.id}:sbn" and ev[1].human_seconds == 5


def test_return_and_reroute(people: dict[str, User], make_item: Callable[..., int]) -> None:
    iid = make_item(state="routed", department_code="SBN")
    with session_scope() as s, pytest.raises(InvalidRequest):
        service.return_item(s, people["sbn"], iid, "  ")
    with session_scope() as s:
        item = service.return_item(s, people["sbn"], iid, "gäller socialtjänsten", human_seconds=9)
        assert item.state == "returned" and "fel mottagare" in (item.state_reason or "")
    # Once returned, the department no longer sees it; the registry routes it on.
    with session_scope() as s, pytest.raises(NotFound):
        service.get_item(s, people["sbn"], iid)
    with session_scope() as s:
        service.route_item(s, people["reg"], iid, "SN")
    with session_scope() as s:
        item = service.route_item(s, people["admin"], iid, "KS")  # reroute
        assert item.department_code == "KS"
    with session_scope() as s, pytest.raises(Conflict):
        service.route_item(s, people["admin"], iid, "KS")
    ev = events(iid)
    assert [e.action for e in ev] == ["returned", "routed", "rerouted"]
    assert ev[0].detail["reason"] == "fel mottagare" and ev[0].detail["comment"] == "gäller socialtjänsten"


def test_state_conflicts(people: dict[str, User], make_item: Callable[..., int]) -> None:
    iid = make_item(state="acknowledged", department_code="SBN")
    with session_scope() as s, pytest.raises(StateConflict):
        service.acknowledge_item(s, people["sbn"], iid)
    with session_scope() as s, pytest.raises(StateConflict):
        service.route_item(s, people["reg"], iid, "KS")
    received = make_item(state="received")
    with session_scope() as s, pytest.raises(StateConflict):
        service.route_item(s, people["reg"], received, "KS")
    assert events(iid) == [] and events(received) == []


@pytest.mark.parametrize("dept", ["INGEN", "NOPE"])
def test_route_rejects_bad_department(people: dict[str, User], make_item: Callable[..., int], dept: str) -> None:
    iid = make_item()
    with session_scope() as s, pytest.raises(InvalidRequest):
        service.route_item(s, people["reg"], iid, dept)


def test_permissions(people: dict[str, User], make_item: Callable[..., int]) -> None:
    sbn_item = make_item(state="routed", department_code="SBN")
    sn_item = make_item(state="routed", department_code="SN", sensitive=True)
    review = make_item(state="needs_review", suggested_department="SBN")
    sbn, sn = people["sbn"], people["sn"]
    with session_scope() as s:
        for uid in (sn_item, review):
            with pytest.raises(NotFound):
                service.get_item(s, sbn, uid)
        with pytest.raises(NotFound):
            service.get_item(s, people["viewer"], sbn_item)
        assert service.get_item(s, sn, sn_item).sensitive
        with pytest.raises(NotFound):
            service.acknowledge_item(s, sbn, sn_item)
        with pytest.raises(Forbidden):
            service.acknowledge_item(s, people["reg"], sbn_item)  # registry does not acknowledge
        with pytest.raises(Forbidden):
            service.route_item(s, sbn, review, "SBN")
        with pytest.raises(Forbidden):
            service.list_items(s, people["viewer"])
        items, total = service.list_items(s, sbn)
        assert total == 1 and [i.id for i in items] == [sbn_item]
        items, total = service.list_items(s, people["reg"])
        assert total == 3
        _, total = service.list_items(s, people["reg"], state="needs_review")
        assert total == 1
        _, total = service.list_items(s, people["reg"], department="sn")
        assert total == 1
        with pytest.raises(InvalidRequest):
            service.list_items(s, people["reg"], state="bogus")
    with session_scope() as s:
        service.acknowledge_item(s, people["admin"], sn_item)  # admin may act for any department


def test_text_masks_personnummer(make_item: Callable[..., int]) -> None:
    iid = make_item(text=f"Angående {PNR} och 121212-1212 samt 1212121212, ej 121212-1213", pages=2)
    with session_scope() as s:
        item = s.get(MailItem, iid)
        assert item is not None
        out = MailItemOut.from_item(item)
        summary = MailSummaryOut.from_item(item)
    assert "1212-1212" not in out.text and "121212-1212" not in out.text and "1212121212" not in out.text
    assert "19121212-XXXX" in out.text and "121212-XXXX" in out.text
    assert "121212-1213" in out.text  # not Luhn-valid: not a personnummer
    assert [p.index for p in out.pages] == [0, 1] and out.pages[0].method == "ocr"
    assert summary.snippet and "121212-1212" not in summary.snippet


def test_count_by_state(make_item: Callable[..., int]) -> None:
    make_item(state="routed", department_code="KS")
    make_item(state="routed", department_code="KS")
    make_item(state="failed")
    with session_scope() as s:
        counts = service.count_by_state(s)
    assert counts["routed"] == 2 and counts["failed"] == 1 and counts["acknowledged"] == 0
