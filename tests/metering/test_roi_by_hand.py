"""A controller's check: fixed events and a fixed model, every figure computed by hand in the comments.

Model (version 1), E-kalkyl style:
  before (manual, minutes per item)           removed only for items that have
    open      Öppna        1.0                 received
    register  Registrera   4.0                 registration_exported
    deliver   Leverera     3.0                 routed
    = 8 min per letter; document type "faktura": open 1.0 + register 2.0 = 3 min
  after (with the service)
    prepare   Förbereda    0.5 per item        (model)
    scan      Skanna       0.25 per page       (model; no hot-folder batch in the data)
    review / department                        measured (human seconds on the events)
  flat hourly cost 480 kr/h (= 8 kr per minute); 2 min extra per misroute; investment 500 kr;
  running cost 100 kr/year; discount rate 5 %; horizon 3 years; sensitivity +-50 % minutes,
  +-25 % hourly cost, +-50 % volume.

Period 2024-01-01 .. 2024-01-14 (14 days; ISO weeks 2024-W01 = Jan 1-7 and 2024-W02 = Jan 8-14).

item first routed  by        type     pages channel    dept  events (human s)               evidence
A    01-02 (W01)   machine   brev     1     upload     SBN   ack 30                          received, routed, exported
B    01-03 (W01)   registry  brev     2     upload     SBN   route 120, ack 30               received, routed
C    01-09 (W02)   machine   faktura  1     hotfolder  SBN   return 60, route 90, ack 30     received, routed, exported
D    01-10 (W02)   registry  ansokan  1     upload     BUN   route 60, reroute 30, ack 30    routed only (no receipt)
E    01-15         machine   brev     outside the period (after `to`)
F    2023-12-31    machine   brev     outside the period (before `from`)

Per item, in seconds: removed before-steps - after-steps (prepare 30 + scan 15 per page) - human - 120 x misroutes
     before  removed                  kept   after-steps  human  misroute  after  saved
A    480     open+register+deliver 480   0   30+15 = 45     30       0       75    405
B    480     open+deliver 60+180 = 240 240   30+30 = 60    150       0      450     30  (register not exported: kept)
C    180     open+register 60+120 = 180  0           45    180     120      345   -165  (a faktura; one return)
D    480     deliver 180               300           45    120     120      585   -105  (no receipt/export; a reroute)
sum 1620 s = 27 min                   1080 s = 18 min removed              1455   165 s = 2.75 min
hours_saved = 2.75 / 60 = 0.045833 -> 0.05; kronor = 2.75 x 8 = 22.00; saved share = 2.75 / 27 = 0.10185 -> 0.1019
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
    "before": {
        "steps": [
            {"key": "open", "name": "Öppna", "minutes": 1.0, "removed_by": ["received"]},
            {"key": "register", "name": "Registrera", "minutes": 4.0, "removed_by": ["registration_exported"]},
            {"key": "deliver", "name": "Leverera", "minutes": 3.0, "removed_by": ["routed"]},
        ],
        "doc_types": {
            "faktura": [
                {"key": "open", "name": "Öppna", "minutes": 1.0, "removed_by": ["received"]},
                {"key": "register", "name": "Registrera", "minutes": 2.0, "removed_by": ["registration_exported"]},
            ]
        },
    },
    "after": {
        "steps": [
            {"key": "prepare", "name": "Förbereda", "minutes": 0.5, "unit": "item"},
            {"key": "scan", "name": "Skanna", "minutes": 0.25, "unit": "page", "measured_by": "scanner"},
            {"key": "review", "name": "Granska", "measured_by": "registry"},
            {"key": "department", "name": "Förvaltning", "measured_by": "department"},
        ]
    },
    "monthly_salary": 36000,
    "hourly_rate": 480,
    "misroute_minutes": 2,
    "investment": 500,
    "yearly_running_cost": 100,
    "discount_rate": 0.05,
    "horizon_years": 3,
    "sensitivity": {"minutes": 0.5, "hourly_cost": 0.25, "volume": 0.5},
}


@pytest.fixture
def controller_case(make_item: Callable[..., int]) -> None:
    with session_scope() as s:
        service.put_model(s, MODEL, actor="user:1:admin")
    a = make_item(state="acknowledged", department_code="SBN", doc_type="brev", channel="upload")
    add_events(
        a,
        (at("2024-01-02", 8), "received", None, "received", SYS, 0, 0.2),
        (at("2024-01-02", 9), "extracted", "received", "extracted", SYS, 0, 30.0),
        (at("2024-01-02", 9, 1), "classified", "extracted", "classified", SYS, 0, 0.5),
        (at("2024-01-02", 9, 2), "routed", "classified", "routed", SYS, 0, 0.1),
        (at("2024-01-02", 9, 3), "registration_exported", None, None, SYS, 0, 0.1),
        (at("2024-01-02", 14), "acknowledged", "routed", "acknowledged", DEP, 30, 0),
    )
    b = make_item(state="acknowledged", department_code="SBN", doc_type="brev", pages=2, channel="upload")
    add_events(
        b,
        (at("2024-01-03", 8), "received", None, "received", SYS, 0, 0),
        (at("2024-01-03", 9), "extracted", "received", "extracted", SYS, 0, 20.0),
        (at("2024-01-03", 10), "routed", "needs_review", "routed", REG, 120, 0),
        (at("2024-01-04"), "acknowledged", "routed", "acknowledged", DEP, 30, 0),
    )
    c = make_item(state="acknowledged", department_code="SBN", doc_type="faktura", channel="hotfolder")
    add_events(
        c,
        (at("2024-01-09", 7), "received", None, "received", SYS, 0, 0),
        (at("2024-01-09", 8), "routed", "classified", "routed", SYS, 0, 0.1),
        (at("2024-01-09", 9), "returned", "routed", "returned", DEP, 60, 0),
        (at("2024-01-09", 10), "routed", "returned", "routed", REG, 90, 0),
        (at("2024-01-09", 10, 5), "registration_exported", None, None, SYS, 0, 0),
        (at("2024-01-09", 11), "acknowledged", "routed", "acknowledged", DEP, 30, 0),
    )
    d = make_item(state="acknowledged", department_code="BUN", doc_type="ansokan", channel="upload")
    add_events(
        d,
        (at("2024-01-10", 8), "routed", "needs_review", "routed", REG, 60, 0),
        (at("2024-01-10", 9), "rerouted", "routed", "routed", REG, 30, 0),
        (at("2024-01-10", 10), "acknowledged", "routed", "acknowledged", DEP, 30, 0),
        (at("2024-01-20"), "registration_exported", None, None, SYS, 0, 0),  # after the period: not counted
    )
    e = make_item(state="routed", department_code="KS", doc_type="brev")
    add_events(e, (at("2024-01-15", 0, 0), "routed", "classified", "routed", SYS, 0, 0))
    f = make_item(state="routed", department_code="KS", doc_type="brev")
    add_events(f, (at("2023-12-31", 23, 59), "routed", "classified", "routed", SYS, 0, 0))


def report(**kw: float) -> dict:
    with session_scope() as s:
        return service.roi_report(s, date(2024, 1, 1), date(2024, 1, 14), **kw)


def test_before_after_and_steps_counted_only_when_done(controller_case: None) -> None:
    rep = report()
    assert rep["model_version"] == 1
    assert rep["items_handled"] == 4 and rep["auto_routed"] == 2 and rep["auto_routed_share"] == 0.5
    # registry: B 120 + C 90 + D 60 + 30 = 300 s; departments: A 30 + B 30 + C 60 + 30 + D 30 = 180 s
    assert rep["registry_seconds"] == 300.0 and rep["department_seconds"] == 180.0 and rep["human_seconds"] == 480.0
    assert rep["misroutes"] == 2  # C's return, D's reroute
    assert rep["before_minutes_total"] == 27.0 and rep["removed_minutes_total"] == 18.0
    assert rep["after_minutes_total"] == 24.25  # 1455 s
    assert rep["saved_minutes_total"] == 2.75 and rep["saved_share"] == 0.1019
    assert rep["hours_saved"] == 0.05 and rep["kronor_saved"] == 22.0
    assert rep["items_over_baseline"] == 2  # C and D
    before = {s["key"]: s for s in rep["steps"]["before"]}
    # open: all 4 items have it, removed for A, B, C (received) - D has no receipt event
    assert (before["open"]["items"], before["open"]["items_removed"]) == (4, 3)
    # register: removed only where the record was exported in the period: A and C (D's export came later)
    assert (before["register"]["items"], before["register"]["items_removed"]) == (4, 2)
    assert before["register"]["minutes_removed"] == 6.0  # A 4 + C 2
    assert before["register"]["evidence"] == "registreringen exporterad till diariet"
    # deliver: not in the faktura list (3 items), removed for all three (routed)
    assert (before["deliver"]["items"], before["deliver"]["items_removed"]) == (3, 3)
    after = {s["key"]: s for s in rep["steps"]["after"]}
    # prepare 4 x 0.5 = 2 min; scan 5 pages x 0.25 = 1.25 min; review 300 s = 5 min; department 180 s = 3 min
    assert after["prepare"]["minutes_total"] == 2.0 and after["scan"]["minutes_total"] == 1.25
    assert after["scan"]["source"] == "model" and after["review"]["source"] == "measured"
    assert after["review"]["minutes_total"] == 5.0 and after["department"]["minutes_total"] == 3.0
    # kept manual steps: B register 4 + D open 1 + register 4 = 9 min; misroutes 2 x 2 = 4 min
    assert after["kept_manual"]["minutes_total"] == 9.0 and after["misroutes"]["minutes_total"] == 4.0
    # the after table adds up to the after total: 9 + 2 + 1.25 + 5 + 3 + 0 + 4 = 24.25
    assert sum(s["minutes_total"] for s in rep["steps"]["after"]) == 24.25


def test_flows_ranked_most_resource_hungry_first(controller_case: None) -> None:
    flows = report()["flows"]
    # before-minutes: brev|upload|SBN = A + B = 16; ansokan|upload|BUN = D = 8; faktura|hotfolder|SBN = C = 3
    assert [f["key"] for f in flows] == ["brev|upload|SBN", "ansokan|upload|BUN", "faktura|hotfolder|SBN"]
    assert [f["rank"] for f in flows] == [1, 2, 3]
    top, d, c = flows
    # A + B: after (75 + 450) / 2 = 262.5 s = 4.375 min per item; saved 435 s = 7.25 min -> 58.00 kr
    assert top["items_handled"] == 2 and top["before_minutes_per_item"] == 8.0
    assert top["after_minutes_per_item"] == 4.375 and top["kronor_saved"] == 58.0 and top["hours_saved"] == 0.12
    assert top["saved_share"] == 0.4531  # 7.25 / 16
    assert top["label"] == "brev · uppladdning · SBN"
    # D: 585 s = 9.75 min after, 8 before: -105 s = -14.00 kr; C: 5.75 min after, 3 before: -22.00 kr
    assert (d["after_minutes_per_item"], d["kronor_saved"]) == (9.75, -14.0)
    assert (c["after_minutes_per_item"], c["kronor_saved"], c["channel"]) == (5.75, -22.0, "hotfolder")
    rep = report()
    depts = {x["code"]: x for x in rep["departments"]}
    assert depts["SBN"]["kronor_saved"] == 36.0 and depts["BUN"]["kronor_saved"] == -14.0  # 270 s, -105 s
    weeks = {w["week"]: w for w in rep["weeks"]}
    # W01: A + B = 435 s = 58.00 kr; W02: C + D = -270 s = -0.075 h -> -0.08 (half away from zero), -36.00 kr
    assert weeks["2024-W01"]["kronor_saved"] == 58.0 and weeks["2024-W02"]["kronor_saved"] == -36.0
    assert weeks["2024-W02"]["hours_saved"] == -0.08 and weeks["2024-W02"]["start"] == "2024-01-08"


def test_projection_is_provisional_below_four_weeks_and_gives_a_range(controller_case: None) -> None:
    p = report()["projection"]
    # Data from 2024-01-02 to 2024-01-10 = 9 days < 28: provisional, with the reason
    assert p["period_days"] == 14 and p["data_days"] == 9
    assert p["provisional"] is True and "9 dagar" in p["provisional_reason"] and "28" in p["provisional_reason"]
    # Base: yearly gross = 22 kr x 365 / 14 = 573.571429; net = 473.571429
    assert p["yearly_gross_savings"] == 573.57 and p["yearly_net_savings"] == 473.57
    # Discounted: 473.571429 / 1.05 = 451.020408; / 1.1025 = 429.543246; / 1.157625 = 409.088806
    # NPV = -500 + 1289.652460 = 789.652460 -> 789.65
    assert [f["discounted"] for f in p["cash_flows"]] == [-500.0, 451.02, 429.54, 409.09]
    assert p["npv"] == 789.65
    # Payback 500 / 473.571429 = 1.0558 years; 6000 / 473.571429 = 12.67 -> month 13; ROI (1420.71 - 500) / 5
    assert p["payback_years"] == 1.06 and p["payback_month"] == 13 and p["roi_percent"] == 184.14
    # Range, all three inputs low / high (minutes x 0.5 / 1.5, hourly x 0.75 / 1.25, volume x 0.5 / 1.5):
    #   low:  saved = 18 x 0.5 - 15.25 = -6.25 min -> -6.25 x 8 x 0.75 x 0.5 = -18.75 kr x 365/14 = -488.839
    #         net -588.839; NPV = -500 - 588.839 x 2.723248 = -2103.56; no payback
    #   high: saved = 18 x 1.5 - 15.25 = 11.75 min -> 11.75 x 8 x 1.25 x 1.5 = 176.25 kr x 365/14 = 4595.089
    #         net 4495.089; NPV = -500 + 4495.089 x 2.723248 = 11741.24; payback 6000 / 4495.09 = 1.33 -> 2
    assert p["range"]["yearly_net_savings"] == [-588.84, 4495.09]
    assert p["range"]["npv"] == [-2103.56, 11741.24]
    assert p["range"]["payback_month"] == [2, None]


def test_sensitivity_table_by_hand(controller_case: None) -> None:
    sens = report()["sensitivity"]
    rows = {r["input"]: r for r in sens["rows"]}
    # minutes: 18 x 0.5 - 15.25 = -6.25 min -> -50 kr -> x 365/14 = -1303.57 gross, -1403.57 net
    #          NPV = -500 - 1403.571 x 2.723248 = -4322.27; high 11.75 min -> 94 kr -> 2350.71 net, NPV 5901.58
    assert rows["minutes"]["values"] == [2.25, 4.5, 6.75]  # removed minutes per item: 18 / 4 = 4.5
    assert rows["minutes"]["npv"] == [-4322.27, 789.65, 5901.58]
    assert rows["minutes"]["payback_month"] == [None, 13, 3]  # 6000 / 2350.71 = 2.55 -> 3
    # hourly 360 / 480 / 600: 16.50 / 22 / 27.50 kr -> net 330.18 / 473.57 / 616.96; NPV 399.16 / 1180.15
    assert rows["hourly_cost"]["values"] == [360.0, 480.0, 600.0]
    assert rows["hourly_cost"]["npv"] == [399.16, 789.65, 1180.15]
    assert rows["hourly_cost"]["payback_month"] == [19, 13, 10]  # 6000/330.18 = 18.2; 6000/616.96 = 9.7
    # volume 52.14 / 104.29 / 156.43 a year: net 186.79 / 473.57 / 760.36; NPV 8.66 / 1570.64
    assert rows["volume"]["values"] == [52.14, 104.29, 156.43]
    assert rows["volume"]["npv"] == [8.66, 789.65, 1570.64]
    assert rows["volume"]["payback_month"] == [33, 13, 8]  # 6000/186.79 = 32.1; 6000/760.36 = 7.9
    # Tornado: swing minutes 10223.85 > volume 1561.98 > hourly 780.99
    assert [r["input"] for r in sens["rows"]] == ["minutes", "volume", "hourly_cost"]
    assert sens["base_npv"] == 789.65


def test_four_weeks_of_data_are_not_provisional(make_item: Callable[..., int]) -> None:
    with session_scope() as s:
        service.put_model(s, MODEL, actor="t")
    for day in ("2024-01-01", "2024-01-28"):  # first to last handled day: 28 days
        add_events(
            make_item(state="routed", department_code="KS"), (at(day), "routed", "classified", "routed", SYS, 0, 0)
        )
    with session_scope() as s:
        p = service.roi_report(s, date(2024, 1, 1), date(2024, 1, 31))["projection"]
        short = service.roi_report(s, date(2024, 1, 1), date(2024, 1, 27))["projection"]
    assert p["data_days"] == 28 and p["provisional"] is False and p["provisional_reason"] is None
    assert short["data_days"] == 1 and short["provisional"] is True


def test_what_if_by_hand(controller_case: None) -> None:
    rep = report(what_if_volume=10000, what_if_auto_rate=0.8)
    w = rep["what_if"]
    # Saved per auto item: (A 405 + C -165) / 2 = 120 s = 2.0 min; per manual item: (B 30 + D -105) / 2 = -37.5 s
    assert w["saved_minutes_per_auto_item"] == 2.0 and w["saved_minutes_per_manual_item"] == -0.625
    # 10 000 x (0.8 x 2.0 + 0.2 x -0.625) = 14 750 min = 245.83 h; x 8 kr/min = 118 000 kr gross
    assert w["hours_saved_per_year"] == 245.83
    assert w["projection"]["yearly_gross_savings"] == 118000.0
    assert w["projection"]["payback_month"] == 1  # 6000 / 117 900 = 0.05
    with session_scope() as s:
        same = service.what_if_report(s, date(2024, 1, 1), date(2024, 1, 14))
    assert same["volume_per_year"] == 104.29 and same["auto_rate"] == 0.5
    assert same["projection"]["yearly_gross_savings"] == 573.57


def test_csv_rows_add_up(controller_case: None) -> None:
    text = report_csv(report())
    assert text.startswith("model_version,period_from,period_to,section,key,name,items_handled")
    rows = list(csv.DictReader(io.StringIO(text)))
    sections = [r["section"] for r in rows]
    assert sections == ["total"] + ["flow"] * 3 + ["week"] * 2 + ["department"] * 2 + ["doc_type"] * 3
    kronor = {(r["section"], r["key"]): float(r["kronor_saved"]) for r in rows}
    assert kronor[("total", "total")] == 22.0
    assert sum(v for (sec, _), v in kronor.items() if sec == "flow") == 22.0
    assert round(kronor[("week", "2024-W01")] + kronor[("week", "2024-W02")], 2) == 22.0
    assert [r["rank"] for r in rows if r["section"] == "flow"] == ["1", "2", "3"]
    assert all(r["model_version"] == "1" and r["period_from"] == "2024-01-01" for r in rows)
    assert all(r["provisional"] == "true" for r in rows)


def test_negative_net_has_no_payback(make_item: Callable[..., int]) -> None:
    with session_scope() as s:
        service.put_model(s, {**MODEL, "yearly_running_cost": 10_000}, actor="t")
    i = make_item(state="routed", department_code="KS")
    add_events(i, (at("2024-01-02"), "received", None, "received", SYS, 0, 0))
    add_events(i, (at("2024-01-02", 13), "routed", "classified", "routed", SYS, 0, 0))
    p = report()["projection"]
    # removed open 1 + deliver 3 = 4 min, after 0.75 min: 3.25 min x 8 kr = 26 kr in 14 days
    # -> 26 x 365 / 14 = 677.86 kr/year gross, -9322.14 net
    assert p["yearly_net_savings"] == -9322.14
    assert p["payback_month"] is None and p["payback_years"] is None and p["payback_within_horizon"] is False
    assert p["npv"] < -500 and p["roi_percent"] < -100
