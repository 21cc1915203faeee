"""The default process model, E-kalkyl style: the manual process (before) and what is left (after).

E-kalkyl (the Swedish public-sector method for costing e-services, first published by Verva and
used by E-delegationen) describes a process twice, as it is (nuläge) and as it will be with the
change (börläge), each as a list of steps with the minutes they take per case; the difference,
times the volume and the cost of an hour, is the saving. Here one case is one incoming letter.

Before (the registry by hand), minutes per item, and the evidence that the service did the step:

    step                  min   removed only for items that have                      source
    open and sort         1.0   received or extracted (replaced by "open and prepare") assumption (a)
    date stamp            0.5   registration_proposed or received (arrival recorded)  assumption (a)
    register in diarium   3.0   registration_exported (the record reached the diarium) assumption (a)
    copy/scan             1.5   received or extracted (replaced by "scanning" after)  assumption (a)
    internal delivery     1.5   routed (delivered to the department's inbox)          assumption (a)
    retrieval later       1.0   extracted (the text is stored and searchable)         assumption (b)
                          ---
                          8.5   minutes per item

After (with the service):

    open and prepare for scanning   0.75 min per item   assumption (a)
    separator sheets (if used)      0.10 min per item   assumption (a); 0 when piles are split without them
    scanning                        0.10 min per page   assumption (a); replaced by the scanner's batch time
                                                        from the hot folder when there is one in the period
    registry review                 measured (human seconds on route/reroute)
    separation review               measured (separation_reviewed)
    registration check              measured (registration_confirmed)
    department handling             measured (acknowledge/return)

(a) Estimates for a registrar working through a daily pile, not a time study: replace them with
    the municipality's own measured minutes before the figures are used for a decision.
A letter split out of a scanned pile (issue 16) carries a `separated` event instead of its own
`received`/`extracted`: the pile was received and read, so `separated` counts for those steps too.

(b) An expected value: about one letter in five is asked for again later, and fetching and
    refiling a paper original takes about five minutes (0.2 x 5 = 1.0 minute per letter).

Cost of an hour (the client's formula, kept as editable data): monthly salary / 142 x 1.54, unless
`hourly_rate` (a flat, fully loaded kr/h) is set. 36 000 kr is an assumed registrar's salary; 142
productive hours a month is about 1 700 a year / 12; 1.54 covers employer fees (31.42 %), pension,
insurance and overhead. Investment and running cost default to 0 and must be set to the project's
figures; discount rate 3 % and horizon 6 years are the client's defaults.
"""

from __future__ import annotations

import copy
from typing import Any

DEFAULT_BEFORE_STEPS: list[dict[str, Any]] = [
    {
        "key": "open_sort",
        "name": "Öppna och sortera",
        "minutes": 1.0,
        "unit": "item",
        "removed_by": ["received", "extracted", "separated"],
    },
    {
        "key": "date_stamp",
        "name": "Ankomststämpla",
        "minutes": 0.5,
        "unit": "item",
        "removed_by": ["registration_proposed", "received", "separated"],
    },
    {
        "key": "register",
        "name": "Registrera i diariet",
        "minutes": 3.0,
        "unit": "item",
        "removed_by": ["registration_exported"],
    },
    {
        "key": "copy_scan",
        "name": "Kopiera/skanna",
        "minutes": 1.5,
        "unit": "item",
        "removed_by": ["received", "extracted", "separated"],
    },
    {
        "key": "internal_delivery",
        "name": "Internpost till förvaltningen",
        "minutes": 1.5,
        "unit": "item",
        "removed_by": ["routed"],
    },
    {
        "key": "retrieval",
        "name": "Återsökning av pappersoriginal",
        "minutes": 1.0,
        "unit": "item",
        "removed_by": ["extracted", "separated"],
    },
]

DEFAULT_AFTER_STEPS: list[dict[str, Any]] = [
    {"key": "open_prepare", "name": "Öppna och förbereda för skanning", "minutes": 0.75, "unit": "item"},
    {"key": "separator_sheets", "name": "Skiljeblad (om sådana används)", "minutes": 0.1, "unit": "item"},
    {"key": "scan", "name": "Skanning", "minutes": 0.1, "unit": "page", "measured_by": "scanner"},
    {"key": "registry_review", "name": "Granskning i registraturen", "measured_by": "registry"},
    {"key": "separation_review", "name": "Granskning av uppdelning i försändelser", "measured_by": "separation"},
    {"key": "registration_check", "name": "Kontroll av registreringen", "measured_by": "registration"},
    {"key": "department", "name": "Hantering på förvaltningen (kvittera/returnera)", "measured_by": "department"},
]

DEFAULT_MODEL: dict[str, Any] = {
    "before": {"steps": DEFAULT_BEFORE_STEPS, "doc_types": {}},
    "after": {"steps": DEFAULT_AFTER_STEPS},
    "pages_per_sheet": 1,
    "monthly_salary": 36000.0,
    "hours_per_month": 142.0,
    "markup": 1.54,
    "hourly_rate": None,
    "misroute_minutes": 3.0,
    "investment": 0.0,
    "yearly_running_cost": 0.0,
    "discount_rate": 0.03,
    "horizon_years": 6,
    "currency": "SEK",
    "sensitivity": {"minutes": 0.25, "hourly_cost": 0.10, "volume": 0.20},
    "note": "",
}

# The evidence (event action) each before-step needs, shown in the report in Swedish.
EVIDENCE_LABELS: dict[str, str] = {
    "handled": "alla hanterade försändelser",
    "received": "mottagen och skannad i tjänsten",
    "registration_proposed": "ankomstdatum registrerat i tjänsten",
    "registration_confirmed": "registreringen bekräftad av registrator",
    "registration_exported": "registreringen exporterad till diariet",
    "routed": "levererad till förvaltningens inkorg",
    "separated": "delad ur en inskannad hög (redan mottagen och läst)",
    "extracted": "texten läst och sparad sökbar",
    "acknowledged": "kvitterad av förvaltningen",
    "separation_reviewed": "uppdelningen granskad",
}

MEASURE_LABELS: dict[str, str] = {
    "registry": "uppmätt: registraturens tid (routa/omrouta)",
    "separation": "uppmätt: granskning av uppdelning",
    "registration": "uppmätt: kontroll av registreringen",
    "department": "uppmätt: förvaltningens tid (kvittera/returnera)",
    "scanner": "uppmätt: skannerns batchtid i bevakad mapp, per sida",
}

CHANNEL_LABELS: dict[str, str] = {
    "upload": "uppladdning",
    "hotfolder": "bevakad mapp",
    "cli": "kommandorad",
    "email": "e-post",
    "registry": "registraturen (oöppnat kuvert)",
}

UNIT_LABELS: dict[str, str] = {"item": "per försändelse", "page": "per sida", "sheet": "per ark"}

# Where each default comes from, shown on the dashboard and in the PDF next to the figures.
ASSUMPTIONS: dict[str, str] = {
    "Manuella steg (före)": "Uppskattade minuter per brev vid manuell hantering i registraturen, inte en tidsstudie; "
    "ersätt med kommunens egna uppmätta värden.",
    "Återsökning": "Ungefär vart femte brev efterfrågas senare, cirka 5 min per gång: 1,0 min per brev.",
    "Steg med tjänsten (efter)": "Öppna och förbereda, skiljeblad och skanning är uppskattningar; granskning, "
    "kontroll av registrering och förvaltningens hantering mäts i tjänsten.",
    "Borttaget steg": "Ett manuellt steg räknas som borttaget bara för försändelser där tjänsten gjorde det "
    "(t.ex. registrering i diariet bara när registreringen exporterats).",
    "Månadslön": "Antagen månadslön för en registrator i kommunen.",
    "Timmar per månad": "Cirka 1 700 produktiva timmar per år / 12 (efter semester, ledighet, utbildning).",
    "Påslag": "Lön + arbetsgivaravgifter (31,42 %), pension, försäkring och overhead.",
    "Felsortering": "Ej uppmätt extra hantering per omroutning eller retur (antagande).",
    "Kalkylränta": "Beställarens standardvärde för offentliga investeringskalkyler.",
    "Kalkylperiod": "Beställarens standardvärde: systemets förväntade livslängd före en större reinvestering.",
    "Investering": "Sätt till projektets verkliga belopp (licenser, hårdvara, införande).",
}

# Evidence for the step keys of the models stored before the before/after split.
LEGACY_EVIDENCE: dict[str, list[str]] = {s["key"]: s["removed_by"] for s in DEFAULT_BEFORE_STEPS}
LEGACY_NOTE = (
    "Omvandlad från en tidigare modellversion med bara manuella steg: stegen är 'före', "
    "'efter'-stegen är standardvärden."
)


def upgrade_legacy(data: dict[str, Any]) -> dict[str, Any]:
    """{"steps", "doc_type_steps", ...} -> {"before": {"steps", "doc_types"}, "after": default, ...}.

    A known step key gets its default evidence; an unknown one keeps the old meaning (removed for
    every handled item, "handled"), so an old version reads as it was meant and the report shows it.
    """
    out = {k: v for k, v in data.items() if k not in ("steps", "doc_type_steps")}

    def step(s: Any) -> Any:
        if not isinstance(s, dict):
            return s
        return {"removed_by": LEGACY_EVIDENCE.get(str(s.get("key")), ["handled"]), **s}

    doc_types = data.get("doc_type_steps") or {}
    out["before"] = {
        "steps": [step(s) for s in data.get("steps") or []],
        "doc_types": (
            {k: [step(s) for s in v] for k, v in doc_types.items()} if isinstance(doc_types, dict) else doc_types
        ),
    }
    out["after"] = {"steps": copy.deepcopy(DEFAULT_AFTER_STEPS)}
    out.setdefault("note", LEGACY_NOTE)
    return out
