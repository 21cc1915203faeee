"""The ROI model (versioned) and the savings report: before/after per item, flows, projection, sensitivity."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.errors import Conflict, DomainError
from services.core.models import RoiModel
from services.core.settings import get_settings
from services.metering import repository
from services.metering.arithmetic import Bucket, projection, sensitivity, what_if
from services.metering.baseline import CHANNEL_LABELS, DEFAULT_MODEL
from services.metering.process import StepTally, item_calc, scanner_measure
from services.metering.schemas import HUMAN_MEASURES, RoiDerived, RoiModelData, RoiModelOut, dec

FORMULA = (
    "En försändelse räknas till perioden när den FÖRSTA gången routas (enligt händelseloggen) inom "
    "[från 00:00 UTC, till + 1 dag 00:00 UTC); veckan är ISO-veckan för det ögonblicket. "
    "Före (nuläge) = summan av modellens manuella steg för försändelsens dokumenttyp (minuter per försändelse, "
    "sida eller ark). Ett manuellt steg räknas som borttaget BARA för försändelser där tjänsten gjorde det, "
    "det vill säga som har någon av stegets bevis-händelser (t.ex. registrering i diariet bara vid "
    "export till diariet, internpost bara vid leverans till en inkorg); annars görs steget fortfarande för hand. "
    "Efter (börläge) = manuella steg som finns kvar + modellens efter-steg (öppna och förbereda, skiljeblad, "
    "skanning; skanningen med skannerns uppmätta tid per sida från bevakad mapp när sådan finns) + uppmätt "
    "mänsklig tid (all registrerad arbetstid på försändelsens händelser före periodens slut: registratur, granskning "
    "av uppdelning, kontroll av registrering, förvaltning, övrigt) + felsorteringsminuter x (omroutningar + "
    "returer). Sparade minuter per försändelse = före - efter = borttagna minuter - efter-stegens minuter - "
    "uppmätta minuter - felsorteringsminuter, INTE avrundat till noll (en försändelse som tog längre tid än "
    "för hand sänker summan; räknas i items_over_baseline). Sparade timmar = summa sparade minuter / 60; "
    "sparad andel = sparade minuter / före-minuter. Timkostnad = fast timkostnad om angiven, annars månadslön "
    "/ timmar per månad x påslag; kronor = timmar x timkostnad. Flöden = dokumenttyp x kanal x förvaltning, "
    "ordnade efter före-minuter totalt (mest resurskrävande först). Prognos: periodens dagar = från `från` "
    "(eller första hanterade dagen) till `till` (eller sista); försändelser per år = antal x 365 / dagar; "
    "brutto per år = kronor x 365 / dagar; netto = brutto - driftkostnad; kassaflöden: år 0 = -investering, "
    "år 1..kalkylperiod = netto vid årets slut; nuvärde = -investering + summa netto / (1 + kalkylränta)^år; "
    "återbetalningstid = investering / netto år och månad = uppåt avrundat investering x 12 / netto (saknas "
    "när netto <= 0); ROI = (kalkylperiod x netto - investering) / investering x 100, odiskonterat. Prognosen "
    "är PRELIMINÄR när data (första till sista hanterade dag) täcker färre dagar än inställningen "
    "(standard 28): då visas ett intervall (alla tre osäkra indata låga respektive höga), inte ett enskilt "
    "tal. Känslighet: nuvärde och återbetalning med minuter per manuellt steg, timkostnad och volym "
    "var för sig på låg/bas/hög nivå (bas x (1 - f), bas, bas x (1 + f)). Decimalaritmetik, avrundning "
    "(halva uppåt) först i utdata."
)


class InvalidRoiModel(DomainError):
    status_code = 422
    code = "invalid_roi_model"


class InvalidPeriod(DomainError):
    status_code = 422
    code = "invalid_period"


class InvalidWhatIf(DomainError):
    status_code = 422
    code = "invalid_what_if"


def _out(data: RoiModelData, version: int, created_at: datetime | None, created_by: str) -> RoiModelOut:
    if created_at is not None and created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    derived = RoiDerived(
        baseline_minutes=float(data.baseline_minutes()),
        after_model_minutes=float(
            sum((dec(a.minutes) for a in data.after.steps if a.measured_by not in HUMAN_MEASURES), Decimal(0))
        ),
        baseline_minutes_by_doc_type={k: float(data.baseline_minutes(k)) for k in data.before.doc_types},
        hourly_cost=_round(data.hourly_cost(), "0.01"),
        hourly_cost_source="flat" if data.hourly_rate is not None else "salary",
    )
    return RoiModelOut(version=version, created_at=created_at, created_by=created_by, data=data, derived=derived)


def default_model() -> RoiModelOut:
    return _out(RoiModelData.model_validate(DEFAULT_MODEL), 0, None, "default")


def get_model(session: Session) -> RoiModelOut:
    row = repository.latest_model(session)
    if row is None:
        return default_model()
    return _out(RoiModelData.model_validate(row.data), row.version, row.created_at, row.created_by)


def put_model(session: Session, data: RoiModelData | dict[str, Any], actor: str) -> RoiModelOut:
    """Store a new version of the model; earlier versions stay, so old reports can be explained."""
    try:
        model = data if isinstance(data, RoiModelData) else RoiModelData.model_validate(data)
    except ValidationError as exc:
        raise InvalidRoiModel("invalid ROI model", errors=exc.errors(include_url=False)) from None
    row = RoiModel(
        version=repository.max_version(session) + 1,
        created_by=actor[:120],
        data=model.model_dump(mode="json"),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # the caller's session scope rolls back
        raise Conflict("another ROI model version was saved at the same time; try again") from None
    return _out(model, row.version, row.created_at, row.created_by)


def _round(value: Decimal, places: str) -> float:
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _period(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    if date_from and date_to and date_from > date_to:
        raise InvalidPeriod(f"from ({date_from}) is after to ({date_to})")
    start = datetime.combine(date_from, time.min, tzinfo=UTC) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC) if date_to else None
    return start, end


def _week_key(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _weeks(buckets: dict[str, Bucket], hourly: Decimal) -> list[dict[str, Any]]:
    """One row per ISO week from the first to the last week with items (gaps filled with zeros)."""
    if not buckets:
        return []
    monday = {k: date.fromisocalendar(int(k[:4]), int(k[6:]), 1) for k in buckets}
    day, last = min(monday.values()), max(monday.values())
    rows = []
    while day <= last:
        key = _week_key(datetime.combine(day, time.min))
        rows.append({"week": key, "start": day.isoformat(), **buckets.get(key, Bucket()).figures(hourly)})
        day += timedelta(days=7)
    return rows


def roi_report(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    what_if_volume: float | None = None,
    what_if_auto_rate: float | None = None,
    include_what_if: bool = False,
) -> dict[str, Any]:
    """The savings report for a period; with what_if_* set (or include_what_if), also the what-if block."""
    model = get_model(session)
    data = model.data
    settings = get_settings()
    start, end = _period(date_from, date_to)
    items = repository.handled_items(session, start, end)
    names = repository.department_names(session)
    scanner = scanner_measure(
        repository.hotfolder_receipts(session, start, end), settings.roi_scanner_batch_gap_seconds
    )
    hourly = data.hourly_cost()

    total = Bucket()
    per_dept: dict[str, Bucket] = defaultdict(Bucket)
    per_type: dict[str, Bucket] = defaultdict(Bucket)
    per_week: dict[str, Bucket] = defaultdict(Bucket)
    per_flow: dict[tuple[str, str, str], Bucket] = defaultdict(Bucket)
    tally = StepTally()
    machine = Decimal(0)
    over_baseline = 0
    for it in items:
        calc = item_calc(data, it, scanner)
        tally.add(it, calc)
        over_baseline += calc.saved < 0
        machine += dec(it.machine_seconds)
        dept, doc_type = it.department_code or "-", it.doc_type or "-"
        for b in (
            total,
            per_dept[dept],
            per_type[doc_type],
            per_week[_week_key(it.first_routed_at)],
            per_flow[(doc_type, it.channel, dept)],
        ):
            b.add(it, calc)

    days: int | None = None
    data_days = 0
    if items:
        data_days = (
            max(it.first_routed_at for it in items).date() - min(it.first_routed_at for it in items).date()
        ).days + 1
    if items or (date_from and date_to):
        first_day = date_from or min(it.first_routed_at.date() for it in items)
        last_day = date_to or max(it.first_routed_at.date() for it in items)
        days = (last_day - first_day).days + 1

    kronor = total.saved_min * hourly / 60
    proj: dict[str, Any] | None = None
    sens: dict[str, Any] | None = None
    per_year: Decimal | None = None
    if days:
        per_year = Decimal(total.items) * 365 / days
        sens, rng = sensitivity(data, total, hourly, per_year, days)
        proj = {
            "period_days": days,
            "data_days": data_days,
            "items_per_year": _round(per_year, "0.01"),
            **projection(data, kronor * 365 / days),
            **_provisional(data_days, settings.roi_min_projection_days),
            "range": rng,
        }
    by_step = repository.machine_seconds_by_action(session, start, end)

    report: dict[str, Any] = {
        "period": {
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
        },
        "data_period": {
            "first": min(it.first_routed_at for it in items).date().isoformat() if items else None,
            "last": max(it.first_routed_at for it in items).date().isoformat() if items else None,
        },
        "model_version": model.version,
        **total.figures(hourly),
        "manual_routed": total.items - total.auto,
        "items_over_baseline": over_baseline,
        "baseline_minutes_total": _round(total.baseline_min, "0.01"),
        "before_minutes_total": _round(total.baseline_min, "0.01"),
        "removed_minutes_total": _round(total.removed_min, "0.01"),
        "after_minutes_total": _round(total.after_min, "0.01"),
        "saved_minutes_total": _round(total.saved_min, "0.01"),
        "machine_seconds": _round(machine, "0.001"),
        "machine_seconds_by_step": {
            action: {
                "total": _round(dec(s), "0.001"),
                "per_item": _round(dec(s) / total.items, "0.001") if total.items else 0.0,
            }
            for action, s in sorted(by_step.items())
        },
        "measured": {
            "human_minutes_by_group": {k: _round(v, "0.0001") for k, v in sorted(tally.human_groups.items())},
            "scanner": scanner.as_dict() if scanner else None,
        },
        "steps": tally.table(data, scanner),
        "hourly_cost": _round(hourly, "0.01"),
        "misroute_minutes": data.misroute_minutes,
        "currency": data.currency,
        "flows": _flows(per_flow, names, hourly),
        "departments": [
            {"code": code, "name": names.get(code), **b.figures(hourly)} for code, b in sorted(per_dept.items())
        ],
        "doc_types": [{"doc_type": k, **b.figures(hourly)} for k, b in sorted(per_type.items())],
        "weeks": _weeks(per_week, hourly),
        "projection": proj,
        "sensitivity": sens,
        "formula": FORMULA,
    }
    if include_what_if or what_if_volume is not None or what_if_auto_rate is not None:
        report["what_if"] = _what_if(data, total, hourly, per_year, what_if_volume, what_if_auto_rate)
    return report


def _provisional(data_days: int, min_days: int) -> dict[str, Any]:
    if data_days >= min_days:
        return {"provisional": False, "provisional_reason": None, "min_data_days": min_days}
    days = f"{data_days} dag" + ("" if data_days == 1 else "ar")
    reason = f"Data från {days}; minst {min_days} dagar krävs för en årsprognos. Årstalen visas som ett intervall."
    return {"provisional": True, "provisional_reason": reason, "min_data_days": min_days}


def _flows(per_flow: dict[tuple[str, str, str], Bucket], names: dict[str, str], hourly: Decimal) -> list[dict]:
    """One row per document type x channel x department, the most resource-hungry (before-minutes) first."""
    rows = []
    for (doc_type, channel, dept), b in per_flow.items():
        rows.append(
            {
                "key": f"{doc_type}|{channel}|{dept}",
                "label": f"{doc_type} · {CHANNEL_LABELS.get(channel, channel)} · {dept}",
                "doc_type": doc_type,
                "channel": channel,
                "department": dept,
                "department_name": names.get(dept),
                "before_minutes_total": _round(b.baseline_min, "0.01"),
                "after_minutes_total": _round(b.after_min, "0.01"),
                **b.figures(hourly),
            }
        )
    rows.sort(key=lambda f: (-f["before_minutes_total"], f["key"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def _what_if(
    data: RoiModelData,
    total: Bucket,
    hourly: Decimal,
    per_year: Decimal | None,
    volume: float | None,
    auto_rate: float | None,
) -> dict[str, Any]:
    if volume is not None and volume < 0:
        raise InvalidWhatIf("what_if_volume must be >= 0")
    if auto_rate is not None and not 0 <= auto_rate <= 1:
        raise InvalidWhatIf("what_if_auto_rate must be between 0 and 1")
    return what_if(data, total, hourly, per_year, volume, auto_rate)


def what_if_report(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    volume: float | None = None,
    auto_rate: float | None = None,
) -> dict[str, Any]:
    rep = roi_report(
        session, date_from, date_to, what_if_volume=volume, what_if_auto_rate=auto_rate, include_what_if=True
    )
    return {"period": rep["period"], "model_version": rep["model_version"], **rep["what_if"]}


def item_rows(session: Session, date_from: date | None = None, date_to: date | None = None) -> list[dict[str, Any]]:
    """Before, removed, after and saved minutes per handled item (for auditing a report item by item)."""
    data = get_model(session).data
    start, end = _period(date_from, date_to)
    scanner = scanner_measure(
        repository.hotfolder_receipts(session, start, end), get_settings().roi_scanner_batch_gap_seconds
    )
    rows = []
    for it in repository.handled_items(session, start, end):
        calc = item_calc(data, it, scanner)
        rows.append(
            {
                "item_id": it.item_id,
                "doc_type": it.doc_type,
                "channel": it.channel,
                "department": it.department_code,
                "pages": it.pages,
                "before_minutes": _round(calc.before, "0.0001"),
                "removed_minutes": _round(calc.removed, "0.0001"),
                "removed_steps": sorted(calc.removed_keys),
                "after_step_minutes": _round(calc.after_steps, "0.0001"),
                "human_minutes": _round(calc.human, "0.0001"),
                "misroute_minutes": _round(calc.misroute, "0.0001"),
                "after_minutes": _round(calc.after, "0.0001"),
                "saved_minutes": _round(calc.saved, "0.0001"),
                "saved_share": _round(calc.saved / calc.before, "0.0001") if calc.before else 0.0,
            }
        )
    return rows
