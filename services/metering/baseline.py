"""The default manual-handling baseline, e-kalkyl style.

E-kalkyl (the Swedish government's method for costing e-services) measures a process as a list of
manual steps, each with the minutes it takes per case, times the number of cases, times the cost of
an hour of labour. The defaults below describe one incoming paper letter handled by hand in a
municipal registry (registratur), before this service:

    open and sort           1.0 min  open the envelope, remove staples, sort by addressee
    date stamp              0.5 min  receipt stamp (ankomststämpel) on the first page
    register in diarium     3.0 min  read, pick the case or open one, enter the record
    copy/scan               1.5 min  copy or scan for the case file and the handling officer
    internal delivery       1.5 min  carry to the department's pigeonhole / internal mail
                            -------
                            7.5 min  per item

Assumptions (all editable through PUT /api/v1/roi/model, each change a new version):
- The minutes are an average over all letters; a document type may have its own step list
  (`doc_type_steps`, e.g. advertising that is only opened and thrown away).
- Hourly cost = monthly salary / 142 hours x 1.54. 142 is the productive hours in a month after
  holidays, leave and absence; 1.54 adds employer social fees (arbetsgivaravgifter, ~31.4 %),
  occupational pension and other personnel overhead. 36 000 SEK is a registrar's monthly salary.
- Human touch time with the service is measured in the UI (opening an item to deciding) and is
  subtracted per item; machine time costs nothing in this comparison (it is covered by the
  yearly running cost).
- Investment and yearly running cost default to 0 and should be set to the real project figures;
  the discount rate (3 %) and horizon (6 years) follow the e-kalkyl defaults.
"""

from __future__ import annotations

from typing import Any

DEFAULT_STEPS: list[dict[str, Any]] = [
    {"key": "open_sort", "name": "Öppna och sortera", "minutes": 1.0},
    {"key": "date_stamp", "name": "Ankomststämpla", "minutes": 0.5},
    {"key": "register", "name": "Registrera i diariet", "minutes": 3.0},
    {"key": "copy_scan", "name": "Kopiera/skanna", "minutes": 1.5},
    {"key": "internal_delivery", "name": "Internpost till förvaltningen", "minutes": 1.5},
]

DEFAULT_MODEL: dict[str, Any] = {
    "steps": DEFAULT_STEPS,
    "doc_type_steps": {},
    "monthly_salary": 36000.0,
    "hours_per_month": 142.0,
    "markup": 1.54,
    "investment": 0.0,
    "yearly_running_cost": 0.0,
    "discount_rate": 0.03,
    "horizon_years": 6,
    "currency": "SEK",
}
