from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from services.core.db import session_scope
from services.core.models import Event, RoiModel
from services.metering import service
from services.metering.baseline import DEFAULT_MODEL
from services.metering.service import InvalidPeriod, InvalidRoiModel
from tests.metering.helpers import DEP, REG, SYS, add_events, at


def r2(x: Decimal) -> float:
    return float(x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture
def march(make_item: Callable[..., int]) -> dict[str, int]:
    a = make_item(state="acknowledged", department_code="SBN", decision="auto")
    add_events(
        a,
        (at("2024-03-05", 8), "received", None, "received", SYS, 0, 0.0),
        (at("2024-03-05", 9), "extracted", "received", "extracted", SYS, 0, 12.0),
        (at("2024-03-05", 9, 1), "classified", "extracted", "classified", SYS, 0, 0.5),
        (at("2024-03-05", 9, 2), "routed", "classified", "routed", SYS, 0, 0.1),
        (at("2024-03-06"), "acknowledged", "routed", "acknowledged", DEP, 30, 0),
        (at("2024-04-02"), "viewed", None, None, DEP, 100, 0),  # after the period: not counted
    )
    b = make_item(state="routed", department_code="SN", decision="review")
    add_events(
        b,
        (at("2024-03-09"), "received", None, "received", SYS, 0, 0),
        (at("2024-03-10"), "routed", "needs_review", "routed", REG, 90, 0),
        (at("2024-03-11", 8), "returned", "routed", "returned", DEP, 20, 0),
        (at("2024-03-11", 9), "routed", "returned", "routed", REG, 40, 0),
    )
    c = make_item(state="routed", department_code="KS")
    add_events(c, (at("2024-02-28"), "routed", "classified", "routed", SYS, 0, 1.0))
    d = make_item(state="routed", department_code="KS")
    add_events(d, (at("2024-03-31", 23, 30), "routed", "needs_review", "routed", REG, 600, 0))
    e = make_item(state="routed", department_code="KS")
    add_events(e, (datetime(2024, 4, 1, tzinfo=UTC), "routed", "classified", "routed", SYS, 0, 0))
    f = make_item(state="needs_review")
    add_events(f, (at("2024-03-15"), "classified", "extracted", "needs_review", SYS, 0, 2.0))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def test_report_arithmetic_by_hand(march: dict[str, int]) -> None:
    with session_scope() as s:
        rep = service.roi_report(s, date(2024, 3, 1), date(2024, 3, 31))
    # Handled: a (auto, 30 s), b (90+20+40 = 150 s), d (600 s). c, e outside; f never routed.
    # Default model: before 8.5 min; after-steps 0.75 + 0.1 + 0.1 per page = 0.95 min (one page each).
    # a (received, extracted, routed): removed everything but "register" (no export): 8.5 - 3 = 5.5;
    #   saved 5.5 - 0.95 - 0.5 = 4.05
    # b (received, routed; never extracted): open 1 + stamp 0.5 + copy 1.5 + delivery 1.5 = 4.5;
    #   saved 4.5 - 0.95 - 2.5 - 3 (one return) = -1.95
    # d (routed only): delivery 1.5; saved 1.5 - 0.95 - 10 = -9.45 (not clamped)
    # total -7.35 min
    hourly = Decimal(36000) / Decimal(142) * Decimal("1.54")
    kronor = Decimal("-7.35") / 60 * hourly
    assert rep["model_version"] == 0
    assert rep["items_handled"] == 3
    assert rep["auto_routed"] == 1 and rep["manual_routed"] == 2
    assert rep["auto_routed_share"] == 0.3333
    assert rep["human_seconds"] == 780.0
    assert rep["items_over_baseline"] == 2
    assert rep["baseline_minutes_total"] == 25.5 and rep["removed_minutes_total"] == 11.5
    assert rep["saved_minutes_total"] == -7.35
    assert rep["registry_seconds"] == 730.0 and rep["department_seconds"] == 50.0 and rep["misroutes"] == 1
    assert rep["hours_saved"] == -0.12  # -7.35 / 60 = -0.1225
    assert rep["hourly_cost"] == 390.42
    assert rep["kronor_saved"] == r2(kronor) == -47.83
    assert rep["machine_seconds"] == 12.6
    register = next(s for s in rep["steps"]["before"] if s["key"] == "register")
    assert register["items_removed"] == 0 and register["items"] == 3  # nothing exported to the diarium
    depts = {d["code"]: d for d in rep["departments"]}
    assert set(depts) == {"KS", "SBN", "SN"}
    assert depts["KS"]["hours_saved"] == -0.16 and depts["KS"]["kronor_saved"] == r2(Decimal("-9.45") / 60 * hourly)
    assert depts["SBN"]["auto_routed"] == 1 and depts["SBN"]["kronor_saved"] == r2(Decimal("4.05") / 60 * hourly)
    assert depts["SN"]["human_seconds"] == 150.0 and depts["SN"]["name"].startswith("Socialnämnden")
    proj = rep["projection"]
    assert proj["period_days"] == 31 and proj["data_days"] == 27  # 03-05 .. 03-31
    assert proj["provisional"] is True
    gross = kronor * 365 / 31
    assert proj["yearly_gross_savings"] == r2(gross)
    npv = sum(gross / Decimal("1.03") ** t for t in range(1, 7))
    assert proj["npv"] == r2(npv)
    assert proj["payback_month"] is None and proj["roi_percent"] is None
    assert rep["machine_seconds_by_step"]["extracted"] == {"total": 12.0, "per_item": 4.0}
    assert "INTE avrundat till noll" in rep["formula"]


def test_report_without_bounds_and_empty_period(march: dict[str, int]) -> None:
    with session_scope() as s:
        everything = service.roi_report(s)
        empty = service.roi_report(s, date(2023, 1, 1), date(2023, 1, 31))
    assert everything["items_handled"] == 5  # a, b, c, d, e
    assert everything["projection"]["period_days"] == 34  # 2024-02-28 .. 2024-04-01
    assert empty["items_handled"] == 0 and empty["hours_saved"] == 0 and empty["auto_routed_share"] == 0
    with session_scope() as s, pytest.raises(InvalidPeriod):
        service.roi_report(s, date(2024, 3, 2), date(2024, 3, 1))


def test_model_versions(database: None) -> None:
    with session_scope() as s:
        m0 = service.get_model(s)
    assert m0.version == 0 and m0.derived.baseline_minutes == 8.5 and m0.derived.hourly_cost == 390.42
    assert m0.derived.after_model_minutes == 0.95
    data = copy.deepcopy(dict(DEFAULT_MODEL, monthly_salary=42600, investment=100000, yearly_running_cost=20000))
    data["before"]["doc_types"] = {"reklam": [{"key": "open_sort", "name": "Öppna och slänga", "minutes": 0.5}]}
    with session_scope() as s:
        m1 = service.put_model(s, data, actor="user:1:admin")
    with session_scope() as s:
        m2 = service.put_model(s, m1.data.model_copy(update={"markup": 1.5}), actor="user:1:admin")
    assert (m1.version, m2.version) == (1, 2)
    with session_scope() as s:
        latest = service.get_model(s)
        assert [r.version for r in s.scalars(select(RoiModel).order_by(RoiModel.version))] == [1, 2]
    assert latest.version == 2 and latest.created_by == "user:1:admin"
    assert latest.derived.hourly_cost == 450.0  # 42600 / 142 x 1.5
    assert latest.derived.baseline_minutes_by_doc_type == {"reklam": 0.5}
    with session_scope() as s, pytest.raises(InvalidRoiModel):
        service.put_model(s, dict(DEFAULT_MODEL, monthly_salary=-1), actor="x")
    bad = copy.deepcopy(DEFAULT_MODEL)
    bad["before"]["steps"][0]["removed_by"] = ["Received; DROP"]
    with session_scope() as s, pytest.raises(InvalidRoiModel):
        service.put_model(s, bad, actor="x")


def test_stored_legacy_versions_are_read_forward(make_item: Callable[..., int]) -> None:
    """A version saved before the before/after split: its steps become `before` with the default evidence."""
    legacy = {
        "steps": [
            {"key": "open_sort", "name": "Öppna och sortera", "minutes": 1.0},
            {"key": "register", "name": "Registrera i diariet", "minutes": 3.0},
            {"key": "scan_local", "name": "Lokal skanning", "minutes": 2.0},
        ],
        "doc_type_steps": {"reklam": [{"key": "open_sort", "name": "Öppna", "minutes": 0.5}]},
        "monthly_salary": 36000.0,
        "hourly_rate": 600.0,
        "misroute_minutes": 3.0,
    }
    with session_scope() as s:
        s.add(RoiModel(version=1, created_by="user:1:admin", data=legacy))
    with session_scope() as s:
        m = service.get_model(s)
    assert m.version == 1 and [st.key for st in m.before.steps] == ["open_sort", "register", "scan_local"]
    removed_by = {st.key: st.removed_by for st in m.data.before.steps}
    assert removed_by == {
        "open_sort": ["received", "extracted", "separated"],
        "register": ["registration_exported"],
        "scan_local": ["handled"],
    }
    assert m.data.before.doc_types["reklam"][0].removed_by == ["received", "extracted", "separated"]
    assert [a.key for a in m.after.steps][:3] == ["open_prepare", "separator_sheets", "scan"]
    assert "tidigare modellversion" in m.data.note
    item = make_item(state="routed", department_code="KS")
    add_events(item, (at("2024-05-01"), "routed", "classified", "routed", SYS, 0, 0))
    with session_scope() as s:
        rep = service.roi_report(s, date(2024, 5, 1), date(2024, 5, 1))
    # removed: scan_local 2.0 ("handled", as the old version meant); open_sort needs a receipt, register an export
    # after: 0.75 + 0.1 + 0.1 = 0.95 -> saved 1.05 min x 10 kr/min = 10.50 kr
    assert rep["model_version"] == 1 and rep["removed_minutes_total"] == 2.0 and rep["kronor_saved"] == 10.5
    with session_scope() as s:
        row = s.scalars(select(RoiModel)).one()
        assert "steps" in row.data and "before" not in row.data  # the stored version is left as it was saved


def test_scanner_batch_time_from_the_hot_folder(make_item: Callable[..., int]) -> None:
    """Files taken by the hot folder within 2 minutes of each other are one scanner batch: first to last file,
    per page of the files after the first, replaces the model's scanning minutes."""
    t0 = at("2024-06-03", 9)
    ids = []
    for offset, pages in ((0, 1), (30, 2), (50, 1), (3600, 4)):  # the last one is a batch of its own
        i = make_item(state="routed", department_code="KS", channel="hotfolder", pages=pages)
        add_events(
            i,
            (t0 + timedelta(seconds=offset), "received", None, "received", "system:hotfolder", 0, 0),
            (t0 + timedelta(seconds=offset + 600), "routed", "classified", "routed", SYS, 0, 0),
        )
        ids.append(i)
    with session_scope() as s:
        rep = service.roi_report(s, date(2024, 6, 3), date(2024, 6, 3))
        rows = {r["item_id"]: r for r in service.item_rows(s, date(2024, 6, 3), date(2024, 6, 3))}
    # batch 1: 50 s for the 2 + 1 pages after the first file = 16.667 s per page; batch 2 has one file: unused
    assert rep["measured"]["scanner"] == {
        "batches": 1,
        "files": 3,
        "pages": 3,
        "seconds": 50.0,
        "seconds_per_page": 16.667,
    }
    scan = next(s for s in rep["steps"]["after"] if s["key"] == "scan")
    assert scan["source"] == "measured"
    # 8 pages x 50/3 s = 133.33 s = 2.2222 min
    assert scan["minutes_total"] == 2.2222
    # item with 4 pages: after-steps 0.75 + 0.1 + 4 x 50/180 min = 1.9611 min
    assert rows[ids[3]]["after_step_minutes"] == 1.9611


def test_letters_split_from_a_pile_share_its_separation_review(make_item: Callable[..., int]) -> None:
    """Issue 16: a pile is received and read, split into letters (`separated`), and a registrar's review of the
    split is one `separation_reviewed` event on the pile with {"letters": [...]}: its time is shared evenly."""
    pile = make_item(state="split", channel="hotfolder", pages=3)
    one = make_item(state="routed", department_code="KS", pages=2)
    two = make_item(state="routed", department_code="SN", pages=1)
    add_events(
        pile,
        (at("2024-09-02", 8), "received", None, "received", "system:hotfolder", 0, 0),
        (at("2024-09-02", 8, 5), "separation_reviewed", None, None, REG, 90, 0),
    )
    with session_scope() as s:
        review = s.scalars(select(Event).where(Event.action == "separation_reviewed")).one()
        review.detail = {"batch_id": 1, "letters": [one, two], "documents": 2}
    for letter, minute in ((one, 6), (two, 7)):
        add_events(
            letter,
            (at("2024-09-02", 8, minute), "separated", None, "extracted", REG, 0, 0),
            (at("2024-09-02", 9, minute), "routed", "classified", "routed", SYS, 0, 0),
        )
    with session_scope() as s:
        rep = service.roi_report(s, date(2024, 9, 2), date(2024, 9, 2))
        rows = {r["item_id"]: r for r in service.item_rows(s, date(2024, 9, 2), date(2024, 9, 2))}
    assert rep["items_handled"] == 2  # the pile is not a handled item
    # each letter: 45 s of the 90 s review; open, stamp, copy, retrieval (separated) + delivery (routed) removed
    assert rep["measured"]["human_minutes_by_group"] == {"separation": 1.5}
    assert rep["human_seconds"] == 90.0
    for letter in (one, two):
        assert rows[letter]["removed_steps"] == [
            "copy_scan",
            "date_stamp",
            "internal_delivery",
            "open_sort",
            "retrieval",
        ]
        assert rows[letter]["human_minutes"] == 0.75
    # one (2 pages): 5.5 - (0.75 + 0.1 + 0.2) - 0.75 = 3.7 min
    assert rows[one]["saved_minutes"] == 3.7
    review_row = next(x for x in rep["steps"]["after"] if x["key"] == "separation_review")
    assert review_row["source"] == "measured" and review_row["minutes_total"] == 1.5
