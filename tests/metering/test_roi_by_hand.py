"""A controller's check: fixed events and a fixed model, every figure computed by hand in the comments.

Model (version 1): baseline steps 1 + 3 + 2 = 6 min per letter; document type "faktura" 1 + 2 = 3 min;
flat hourly cost 480 kr/h (= 8 kr per minute); 4 min extra per misroute (reroute or return);
investment 500 kr; running cost 100 kr/year; discount rate 5 %; horizon 3 years.

Period 2024-01-01 .. 2024-01-14 (14 days; ISO weeks 2024-W01 = Jan 1-7 and 2024-W02 = Jan 8-14).

item  first routed      by        doc type  events (human seconds)                          dept now
A     2024-01-02 (W01)  machine   brev      ack 47                                           SBN
B     2024-01-03 (W01)  registry  brev      route 120, ack 30                                SN
C     2024-01-09 (W02)  machine   faktura   return 60 (KS), route 90 (-> SBN), ack 30         SBN
D     2024-01-10 (W02)  registry  brev      route 60 (MHN), reroute 30 (-> BUN), ack 30       BUN
E     2024-01-15        machine   brev      outside the period (after `to`)
F     2023-12-31        machine   brev      outside the period (before `from`)

Saved seconds per item = baseline - human - 240 s x misroutes:
A: 360 - 47            =  313 s
B: 360 - 150           =  210 s
C: 180 - 180 - 240 x 1 = -240 s   (a faktura: 3 min baseline; one return)
D: 360 - 120 - 240 x 1 =    0 s   (one reroute)
Total                  =  283 s = 4.71667 min = 0.078611 h  -> hours_saved 0.08
kronor = 283 s x 8 kr/min / 60 = 37.7333 kr                   -> 37.73
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest

from services.core.db import session_scope
from services.metering import service
from services.metering.export import report_csv
from tests.metering.helpers import DEP, REG, SYS, add_events, at

MODEL = {
    "steps": [
        {"key": "open", "name": "Öppna", "minutes": 1.0},
        {"key": "register", "name": "Registrera", "minutes": 3.0},
        {"key": "deliver", "name": "Leverera", "minutes": 2.0},
    ],
    "doc_type_steps": {
        "faktura": [
            {"key": "open", "name": "Öppna", "minutes": 1.0},
            {"key": "register", "name": "Registrera", "minutes": 2.0},
        ]
    },
    "monthly_salary": 36000,
    "hourly_rate": 480,
    "misroute_minutes": 4,
    "investment": 500,
    "yearly_running_cost": 100,
    "discount_rate": 0.05,
    "horizon_years": 3,
}


@pytest.fixture
def controller_case(make_item: Callable[..., int]) -> None:
    with session_scope() as s:
        service.put_model(s, MODEL, actor="user:1:admin")
    a = make_item(state="acknowledged", department_code="SBN", doc_type="brev")
    add_events(
        a,
        (at("2024-01-02", 9), "extracted", "received", "extracted", SYS, 0, 30.0),
        (at("2024-01-02", 9, 1), "classified", "extracted", "classified", SYS, 0, 0.5),
        (at("2024-01-02", 9, 2), "routed", "classified", "routed", SYS, 0, 0.1),
        (at("2024-01-02", 14), "acknowledged", "routed", "acknowledged", DEP, 47, 0),
    )
    b = make_item(state="acknowledged", department_code="SN", doc_type="brev")
    add_events(
        b,
        (at("2024-01-03", 9), "extracted", "received", "extracted", SYS, 0, 20.0),
        (at("2024-01-03", 10), "routed", "needs_review", "routed", REG, 120, 0),
        (at("2024-01-04"), "acknowledged", "routed", "acknowledged", DEP, 30, 0),
    )
    c = make_item(state="acknowledged", department_code="SBN", doc_type="faktura")
    add_events(
        c,
        (at("2024-01-09", 8), "routed", "classified", "routed", SYS, 0, 0.1),
        (at("2024-01-09", 9), "returned", "routed", "returned", DEP, 60, 0),
        (at("2024-01-09", 10), "routed", "returned", "routed", REG, 90, 0),
        (at("2024-01-09", 11), "acknowledged", "routed", "acknowledged", DEP, 30, 0),
    )
    d = make_item(state="acknowledged", department_code="BUN", doc_type="brev")
    add_events(
        d,
        (at("2024-01-10", 8), "routed", "needs_review", "routed", REG, 60, 0),
        (at("2024-01-10", 9), "rerouted", "routed", "routed", REG, 30, 0),
        (at("2024-01-10", 10), "acknowledged", "routed", "acknowledged", DEP, 30, 0),
    )
    e = make_item(state="routed", department_code="KS", doc_type="brev")
    add_events(e, (at("2024-01-15", 0, 0), "routed", "classified", "routed", SYS, 0, 0))
    f = make_item(state="routed", department_code="KS", doc_type="brev")
    add_events(f, (at("2023-12-31", 23, 59), "routed", "classified", "routed", SYS, 0, 0))


def report(**kw: float) -> dict:
    with session_scope() as s:
        return service.roi_report(s, date(2024, 1, 1), date(2024, 1, 14), **kw)


def test_hours_kronor_and_breakdowns_by_hand(controller_case: None) -> None:
    rep = report()
    assert rep["model_version"] == 1
    assert rep["items_handled"] == 4 and rep["auto_routed"] == 2 and rep["auto_routed_share"] == 0.5
    # registry: B 120 + C 90 + D 60 + 30 = 300 s; departments: A 47 + B 30 + C 60 + 30 + D 30 = 197 s
    assert rep["registry_seconds"] == 300.0 and rep["department_seconds"] == 197.0 and rep["human_seconds"] == 497.0
    assert rep["misroutes"] == 2  # C's return, D's reroute
    assert rep["hourly_cost"] == 480.0
    assert rep["hours_saved"] == 0.08
    assert rep["kronor_saved"] == 37.73
    assert rep["items_over_baseline"] == 1  # C
    assert rep["baseline_minutes_total"] == 21.0  # 6 + 6 + 3 + 6
    # machine seconds, by step: extracted A 30 + B 20 = 50 (per item 50 / 4 = 12.5); routed A 0.1 + C 0.1
    assert rep["machine_seconds_by_step"]["extracted"] == {"total": 50.0, "per_item": 12.5}
    assert rep["machine_seconds_by_step"]["routed"]["total"] == 0.2

    depts = {d["code"]: d for d in rep["departments"]}
    # SBN: A 313 + C -240 = 73 s -> 73 x 8 / 60 = 9.7333 kr; SN: B 210 s -> 28.00 kr; BUN: D 0 s
    assert set(depts) == {"SBN", "SN", "BUN"}
    assert depts["SBN"]["kronor_saved"] == 9.73 and depts["SBN"]["items_handled"] == 2
    assert depts["SN"]["kronor_saved"] == 28.0 and depts["SN"]["hours_saved"] == 0.06  # 210 / 3600 = 0.0583
    assert depts["BUN"]["kronor_saved"] == 0.0 and depts["BUN"]["misroutes"] == 1
    types = {t["doc_type"]: t for t in rep["doc_types"]}
    # brev: 313 + 210 + 0 = 523 s -> 69.7333 kr; faktura: -240 s -> -32.00 kr
    assert types["brev"]["kronor_saved"] == 69.73 and types["faktura"]["kronor_saved"] == -32.0
    weeks = {w["week"]: w for w in rep["weeks"]}
    # W01: A + B = 523 s = 0.1453 h -> 0.15 h, 69.73 kr; W02: C + D = -240 s = -0.0667 h -> -0.07 h, -32.00 kr
    assert list(weeks) == ["2024-W01", "2024-W02"]
    assert weeks["2024-W01"]["hours_saved"] == 0.15 and weeks["2024-W01"]["kronor_saved"] == 69.73
    assert weeks["2024-W02"]["hours_saved"] == -0.07 and weeks["2024-W02"]["kronor_saved"] == -32.0
    assert weeks["2024-W02"]["start"] == "2024-01-08"


def test_projection_npv_payback_by_hand(controller_case: None) -> None:
    p = report()["projection"]
    # Yearly gross = 37.7333 kr x 365 / 14 days = 283 x 8/60 x 365/14 = 20659/21 = 983.761905 kr
    # Yearly net   = 983.761905 - 100 running cost                  = 883.761905 kr
    assert p["period_days"] == 14 and p["items_per_year"] == 104.29  # 4 x 365 / 14
    assert p["yearly_gross_savings"] == 983.76 and p["yearly_net_savings"] == 883.76
    # Cash flows at the end of each year, discounted by 1.05^t:
    #   t0  -500.00
    #   t1   883.761905 / 1.05     = 841.678005
    #   t2   883.761905 / 1.1025   = 801.598100
    #   t3   883.761905 / 1.157625 = 763.426761
    # NPV = -500 + 2406.702866 = 1906.702866 -> 1906.70 (summing the rounded flows gives 1906.71:
    # the report rounds once, at the end)
    assert [f["discounted"] for f in p["cash_flows"]] == [-500.0, 841.68, 801.6, 763.43]
    assert p["npv"] == 1906.70
    # Payback: 500 / 883.761905 = 0.5658 years; 500 x 12 / 883.761905 = 6.79 months -> month 7
    assert p["payback_years"] == 0.57 and p["payback_month"] == 7 and p["payback_within_horizon"] is True
    # ROI over the horizon, undiscounted: (3 x 883.761905 - 500) / 500 x 100 = 430.257 %
    assert p["roi_percent"] == 430.26


def test_what_if_by_hand(controller_case: None) -> None:
    rep = report(what_if_volume=10000, what_if_auto_rate=0.8)
    w = rep["what_if"]
    # Saved per auto item: (A 313 + C -240) / 2 = 36.5 s = 0.608333 min
    # Saved per manual item: (B 210 + D 0) / 2 = 105 s = 1.75 min
    assert w["saved_minutes_per_auto_item"] == 0.6083 and w["saved_minutes_per_manual_item"] == 1.75
    # 10 000 x (0.8 x 0.608333 + 0.2 x 1.75) = 8366.667 min = 139.44 h; x 8 kr/min = 66 933.33 kr gross
    assert w["hours_saved_per_year"] == 139.44
    assert w["projection"]["yearly_gross_savings"] == 66933.33
    # net 66 833.33; payback 500 x 12 / 66 833.33 = 0.09 months -> month 1
    assert w["projection"]["payback_month"] == 1
    # Without parameters the observed volume and share are kept: same gross as the report's projection
    with session_scope() as s:
        same = service.what_if_report(s, date(2024, 1, 1), date(2024, 1, 14))
    assert same["volume_per_year"] == 104.29 and same["auto_rate"] == 0.5
    assert same["projection"]["yearly_gross_savings"] == 983.76


def test_csv_rows_add_up(controller_case: None) -> None:
    text = report_csv(report())
    assert text.startswith("model_version,period_from,period_to,section,key,name,items_handled")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    sections = [r[3] for r in rows]
    assert sections == ["total", "week", "week", "department", "department", "department", "doc_type", "doc_type"]
    kronor = {(r[3], r[4]): float(r[-1]) for r in rows}
    assert kronor[("total", "total")] == 37.73
    assert round(kronor[("week", "2024-W01")] + kronor[("week", "2024-W02")], 2) == 37.73
    assert all(r[0] == "1" and r[1] == "2024-01-01" and r[2] == "2024-01-14" for r in rows)


def test_negative_net_has_no_payback(make_item: Callable[..., int]) -> None:
    with session_scope() as s:
        service.put_model(s, {**MODEL, "yearly_running_cost": 10_000}, actor="t")
    i = make_item(state="routed", department_code="KS")
    add_events(i, (at("2024-01-02"), "routed", "classified", "routed", SYS, 0, 0))
    p = report()["projection"]
    # 6 min x 8 kr = 48 kr in 14 days -> 1251.43 kr/year gross, -8748.57 net
    assert p["yearly_net_savings"] == -8748.57
    assert p["payback_month"] is None and p["payback_years"] is None and p["payback_within_horizon"] is False
    assert p["npv"] < -500 and p["roi_percent"] < -100
