"""The ERMS 3 record (E-ARK CITS ERMS; FGS Ärendehantering corresponds to it) of one registered item.

One incoming document = one `record`. With a municipal case number it sits in an `aggregation`
(`caseFile`, objectId = the dnr); without one, in `records`. Mapping (REGISTRY-RULES.md): direction
incoming, `date` received (arrival) and created (registration), sender `agent`, `title` and a public
`otherTitle`, the responsible unit as `responsible_person`, secrecy as a `restriction`, and the original
and the archival PDF as `appendix` entries (the files travel beside the XML in the information package).
Validated with lxml against the schema in ../shared/external/erms/ERMS_v3.xsd (or POSTHANTERING_ERMS_XSD).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path

from lxml import etree

NS = "https://DILCIS.eu/XML/ERMS"
E = "{%s}" % NS  # noqa: UP031


@dataclass(frozen=True)
class ErmsInput:
    item_id: int
    fields: dict[str, str]  # field name -> value (full sender_id: the archive keeps it)
    arrival_date: date
    registered_at: datetime
    secret: bool
    authority: str
    department: str | None
    original_name: str
    original_format: str
    archival_pdf_name: str | None
    do_not_open: bool = False


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, E + tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _dt(d: date) -> str:
    return datetime.combine(d, time(0, 0), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def build(inp: ErmsInput) -> bytes:
    f = inp.fields
    root = etree.Element(E + "erms", nsmap={None: NS})
    control = _sub(root, "control")
    _sub(control, "identification", f"posthantering-{inp.item_id}", identificationType="system_id")
    maint = _sub(control, "maintenanceInformation")
    _sub(maint, "maintenanceStatus", value="new")
    agency = _sub(maint, "maintenanceAgency")
    _sub(agency, "agencyName", inp.authority)
    history = _sub(maint, "maintenanceHistory")
    event = _sub(history, "maintenanceEvent")
    _sub(event, "eventType", value="created")
    _sub(event, "eventDateTime", inp.registered_at.astimezone(UTC).isoformat())
    sysagent = _sub(event, "agent", agentType="creator")
    _sub(sysagent, "name", "Posthantering")

    dnr = f.get("our_dnr", "")
    if dnr:
        aggs = _sub(root, "aggregations")
        agg = _sub(aggs, "aggregation", systemIdentifier=f"case-{dnr}", aggregationType="caseFile")
        _sub(agg, "objectId", dnr)
        rec = _sub(agg, "record", systemIdentifier=f"item-{inp.item_id}", recordPhysicalOrDigital="digital")
    else:
        recs = _sub(root, "records")
        rec = _sub(recs, "record", systemIdentifier=f"item-{inp.item_id}", recordPhysicalOrDigital="digital")
    _sub(rec, "objectId", f"posthantering-{inp.item_id}")
    if f.get("their_ref"):
        _sub(rec, "extraId", f["their_ref"], extraIdType="sender_reference")
    title = f.get("subject") or "Inkommen handling"
    public = f.get("public_subject") or ""
    if inp.secret and public:
        _sub(rec, "title", title)
        _sub(rec, "otherTitle", public, titleType="public")
    else:
        _sub(rec, "title", title)
    if inp.secret:
        restr = _sub(rec, "restriction", restrictionType="confidential")
        _sub(restr, "explanatoryText", f.get("secrecy_why") or "Sekretessmarkerad vid registrering")
        _sub(restr, "regulation", f.get("secrecy_regulation") or "OSL")
        dates = _sub(restr, "dates")
        _sub(dates, "date", inp.registered_at.astimezone(UTC).isoformat(), dateType="created")
    _sub(rec, "direction", directionDefinition="incoming")
    agents = _sub(rec, "agents")
    sender = _sub(agents, "agent", agentType="counterpart")
    _sub(sender, "name", f.get("sender_name") or f.get("sender_org") or "Okänd avsändare")
    if f.get("sender_org"):
        _sub(sender, "organisation", f["sender_org"])
    if f.get("sender_id"):
        _sub(sender, "idNumber", f["sender_id"], idNumberType="personnummer_or_organisationsnummer")
    _sub(sender, "role", "avsändare")
    if f.get("sender_address"):
        contact = _sub(sender, "addressContactInformation")
        _sub(contact, "addressLine", f["sender_address"], addressType="postal_address")
    if inp.department or f.get("recipient_unit"):
        resp = _sub(agents, "agent", agentType="responsible_person")
        _sub(resp, "name", f.get("recipient_unit") or inp.department or "")
        if inp.department:
            _sub(resp, "unitName", inp.department)
    if f.get("letter_date") or inp.do_not_open:
        _sub(rec, "description", _description(f, inp.do_not_open))
    dates = _sub(rec, "dates")
    _sub(dates, "date", _dt(inp.arrival_date), dateType="received")
    _sub(dates, "date", inp.registered_at.astimezone(UTC).isoformat(), dateType="created")
    info = _sub(rec, "additionalInformation")
    _sub(info, "appendix", name=inp.original_name, path=f"representations/original/{inp.original_name}",
         fileFormat=inp.original_format, description="original")  # fmt: skip
    if inp.archival_pdf_name:
        _sub(info, "appendix", name=inp.archival_pdf_name, path=f"representations/archival/{inp.archival_pdf_name}",
             fileFormat="application/pdf", description="arkivformat PDF/A-2b")  # fmt: skip
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _description(f: dict[str, str], closed: bool) -> str:
    parts = []
    if f.get("letter_date"):
        parts.append(f"Brevets datum {f['letter_date']}")
    if closed:
        parts.append("Kuvertet har inte öppnats (personligt adresserat eller anbud)")
    return ". ".join(parts)


def default_xsd() -> Path:
    import os

    env = os.environ.get("POSTHANTERING_ERMS_XSD")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "external" / "erms" / "ERMS_v3.xsd"


@lru_cache(maxsize=2)
def _schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path))


def validate(xml: bytes, xsd: Path | None = None) -> list[str]:
    """Schema errors (empty when valid). Without the schema file: one message saying so."""
    path = xsd or default_xsd()
    if not path.exists():
        return [f"schema not found: {path}"]
    schema = _schema(str(path))
    doc = etree.fromstring(xml)
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
