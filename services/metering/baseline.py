"""The default manual-handling baseline, e-kalkyl style, with its sources and assumptions.

E-kalkyl (the Swedish public-sector method for costing e-services, first published by Verva and
used by E-delegationen) measures a process as a list of manual steps, each with the minutes it
takes per case, times the number of cases, times the cost of an hour of labour. The defaults below
describe one incoming paper letter handled by hand in a municipal registry (registratur), before
this service:

    step                  min   what is done by hand                                  source
    open and sort         1.0   open the envelope, remove staples, sort by addressee  assumption (a)
    date stamp            0.5   receipt stamp (ankomststämpel) on the first page      assumption (a)
    register in diarium   3.0   read, pick the case or open one, enter the record     assumption (a)
    copy/scan             1.5   copy or scan for the case file and the officer        assumption (a)
    internal delivery     1.5   carry to the department's pigeonhole / internal mail  assumption (a)
    retrieval later       1.0   fetch the paper from the archive when asked for it    assumption (b)
                          ---
                          8.5   minutes per item

(a) Estimates for a registrar working through a daily pile, not a time study: replace them with
    the municipality's own measured minutes before the figures are used for a decision.
(b) An expected value: about one letter in five is asked for again later, and fetching and
    refiling a paper original takes about five minutes (0.2 x 5 = 1.0 minute per letter).

A document type may have its own step list (`doc_type_steps`, e.g. advertising that is only
opened and thrown away); items of other types use `steps`.

Cost of an hour (the client's formula, kept as editable data):
- hourly cost = monthly salary / 142 x 1.54, unless `hourly_rate` (a flat, fully loaded kr/h) is set.
- 36 000 kr: an assumed monthly salary of a municipal registrar (check the local pay statistics).
- 142 productive hours per month: about 1 700 hours a year after holidays, public holidays,
  sick leave and training, divided by 12.
- 1.54: salary plus personnel overhead: employer social fees (arbetsgivaravgifter, 31.42 % in
  2024), occupational pension and insurance, and a share of premises and management; compare it
  with the municipality's own PO-pålägg.

What the service measures and how it is compared (see service.FORMULA):
- Human touch time (route decisions in the registry, acknowledge/return in the departments) is
  measured per item and subtracted from the baseline; machine time costs nothing per item (it is
  covered by the yearly running cost).
- A misroute costs extra work that the clicks do not show (the wrong department reads the letter
  and puts it aside, the case waits, the registrar looks at it again): `misroute_minutes` (default
  3.0, assumption) per reroute and per return is subtracted from the savings.

Investment and running cost: investment and yearly running cost default to 0 and must be set to
the real project figures (licences, hardware, implementation hours; operation and maintenance).
Discount rate 3 % and horizon 6 years are the client's defaults for this kind of calculation.
Every change through PUT /api/v1/roi/model is stored as a new version; reports name the version.
"""

from __future__ import annotations

from typing import Any

DEFAULT_STEPS: list[dict[str, Any]] = [
    {"key": "open_sort", "name": "Öppna och sortera", "minutes": 1.0},
    {"key": "date_stamp", "name": "Ankomststämpla", "minutes": 0.5},
    {"key": "register", "name": "Registrera i diariet", "minutes": 3.0},
    {"key": "copy_scan", "name": "Kopiera/skanna", "minutes": 1.5},
    {"key": "internal_delivery", "name": "Internpost till förvaltningen", "minutes": 1.5},
    {"key": "retrieval", "name": "Återsökning av pappersoriginal", "minutes": 1.0},
]

DEFAULT_MODEL: dict[str, Any] = {
    "steps": DEFAULT_STEPS,
    "doc_type_steps": {},
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
}

# Where each default comes from, shown on the dashboard next to the figures.
ASSUMPTIONS: dict[str, str] = {
    "steps": "Estimated minutes per letter for manual handling (not a time study); replace with measured values.",
    "retrieval": "About 1 letter in 5 is fetched again later, ~5 min each: 1.0 min per letter.",
    "monthly_salary": "Assumed monthly salary of a municipal registrar.",
    "hours_per_month": "~1 700 productive hours a year / 12 (after holidays, leave, training).",
    "markup": "Salary + employer fees (31.42 %), pension, insurance and overhead.",
    "misroute_minutes": "Unmeasured extra handling per reroute or return (assumption).",
    "discount_rate": "Client default for public-sector investment calculations.",
    "horizon_years": "Client default: the expected life of the system before a major reinvestment.",
    "investment": "Set to the project's real figures (licences, hardware, implementation).",
}
