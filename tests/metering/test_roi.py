from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from services.core.db import session_scope
from services.core.models import RoiModel
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
        (at("2024-03-05", 9), "extracted", "received", "extracted", SYS, 0, 12.0),
        (at("2024-03-05", 9, 1), "classified", "extracted", "classified", SYS, 0, 0.5),
        (at("2024-03-05", 9, 2), "routed", "classified", "routed", SYS, 0, 0.1),
        (at("2024-03-06"), "acknowledged", "routed", "acknowledged", DEP, 30, 0),
        (at("2024-04-02"), "viewed", None, None, DEP, 100, 0),  # after the period: not counted
    )
    b = make_item(state="routed", department_code="SN", decision="review")
    add_events(
        b,
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
    # Saved minutes (baseline 8.5, misroute 3 min): a 8.5 - 0.5 = 8.0; b 8.5 - 2.5 - 3 (one return) = 3.0;
    # d 8.5 - 10 = -1.5 (not clamped); total 9.5 min.
    hourly = Decimal(36000) / Decimal(142) * Decimal("1.54")
    kronor = Decimal("9.5") / 60 * hourly
    assert rep["model_version"] == 0
    assert rep["items_handled"] == 3
    assert rep["auto_routed"] == 1 and rep["manual_routed"] == 2
    assert rep["auto_routed_share"] == 0.3333
    assert rep["human_seconds"] == 780.0
    assert rep["items_over_baseline"] == 1
    assert rep["baseline_minutes_total"] == 25.5
    assert rep["registry_seconds"] == 730.0 and rep["department_seconds"] == 50.0 and rep["misroutes"] == 1
    assert rep["hours_saved"] == 0.16  # 9.5 / 60 = 0.1583…
    assert rep["hourly_cost"] == 390.42
    assert rep["kronor_saved"] == r2(kronor) == 61.82
    assert rep["machine_seconds"] == 12.6
    depts = {d["code"]: d for d in rep["departments"]}
    assert set(depts) == {"KS", "SBN", "SN"}
    assert depts["KS"]["hours_saved"] == -0.03 and depts["KS"]["kronor_saved"] == r2(Decimal("-1.5") / 60 * hourly)
    assert depts["SBN"]["auto_routed"] == 1 and depts["SBN"]["kronor_saved"] == r2(Decimal(8) / 60 * hourly)
    assert depts["SN"]["human_seconds"] == 150.0 and depts["SN"]["name"].startswith("Socialnämnden")
    proj = rep["projection"]
    assert proj["period_days"] == 31
    gross = kronor * 365 / 31
    assert proj["yearly_gross_savings"] == r2(gross)
    npv = sum(gross / Decimal("1.03") ** t for t in range(1, 7))
    assert proj["npv"] == r2(npv)
    assert proj["payback_years"] == 0.0 and proj["payback_month"] == 0 and proj["roi_percent"] is None
    assert rep["machine_seconds_by_step"]["extracted"] == {"total": 12.0, "per_item": 4.0}
    assert "NOT clamped" in rep["formula"]


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
    data = dict(DEFAULT_MODEL, monthly_salary=42600, investment=100000, yearly_running_cost=20000)
    data["doc_type_steps"] = {"reklam": [{"key": "open_sort", "name": "Öppna och slänga", "minutes": 0.5}]}
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


def test_report_uses_doc_type_baseline_and_projection_costs(make_item: Callable[..., int]) -> None:
    data = dict(DEFAULT_MODEL, investment=1000, yearly_running_cost=100)
    data["doc_type_steps"] = {"reklam": [{"key": "open_sort", "name": "Öppna", "minutes": 1.5}]}
    with session_scope() as s:
        service.put_model(s, data, actor="t")
    ad = make_item(state="routed", department_code="KS", doc_type="reklam")
    add_events(ad, (at("2024-05-01"), "routed", "classified", "routed", SYS, 0, 0))
    letter = make_item(state="routed", department_code="KS", doc_type="brev")
    add_events(letter, (at("2024-05-01"), "routed", "classified", "routed", SYS, 0, 0))
    with session_scope() as s:
        rep = service.roi_report(s, date(2024, 5, 1), date(2024, 5, 1))
    hourly = Decimal(36000) / 142 * Decimal("1.54")
    kronor = (Decimal("1.5") + Decimal("8.5")) / 60 * hourly
    assert rep["model_version"] == 1 and rep["baseline_minutes_total"] == 10.0
    assert rep["auto_routed_share"] == 1.0
    assert rep["kronor_saved"] == r2(kronor)
    net = kronor * 365 - 100
    assert rep["projection"]["yearly_net_savings"] == r2(net)
    assert rep["projection"]["payback_years"] == r2(Decimal(1000) / net)
