"""Every user-facing string of the UI that Python code produces, in Swedish, in one place.

Page text lives in the templates; labels and flash messages live here. The Swedish wording of the
services' (English, developer-facing) error messages is in services/core/messages.py, shared with the
CLI: `error_text` turns a domain error's message into Swedish; a message with no translation falls
back to a Swedish sentence for its HTTP status, so no English reaches a page
(tests/e2e/test_ui_swedish.py crawls every page as each role to check).
"""

from __future__ import annotations

from services.core.messages import GENERIC_ERRORS, error_text  # one table for the UI and the CLI

__all__ = ["GENERIC_ERRORS", "error_text"]

STATE_LABELS = {
    "received": "Mottagen",
    "extracted": "Text läst",
    "classified": "Klassad",
    "routed": "Fördelad",
    "needs_review": "Att granska",
    "acknowledged": "Kvitterad",
    "returned": "Åter från avdelning",
    "quarantined": "I karantän",
    "failed": "Fel",
    "discarded": "Kastad",
    "split": "Delad i brev",
    "split_review": "Delning att granska",
}
ROLE_LABELS = {"admin": "Administratör", "registrar": "Registrator", "department": "Avdelning", "viewer": "Läsare"}
ACTION_LABELS = {
    "received": "Mottagen",
    "extracted": "Text läst",
    "classified": "Klassad",
    "routed": "Fördelad",
    "rerouted": "Omfördelad",
    "needs_review": "Till granskning",
    "acknowledged": "Kvitterad",
    "returned": "Skickad tillbaka (fel mottagare)",
    "viewed": "Visad (sekretess)",
    "quarantined": "Satt i karantän",
    "failed": "Misslyckades",
    "discarded": "Kastad (reklam)",
    "restored": "Återställd från kastade",
    "separated": "Avskild ur bunt",
    "split": "Delad i brev",
    "split_review": "Delning till granskning",
    "separation_reviewed": "Delning granskad",
    "page_restored": "Sida återställd ur bunt",
    "retried": "Försöks igen",
}
CHANNEL_LABELS = {
    "upload": "Uppladdning",
    "hotfolder": "Skannermapp",
    "cli": "Kommandorad",
    "email": "E-post",
    "registry": "Registraturen (oöppnat kuvert)",
}
DEADLINE_LABELS = {"green": "I tid", "amber": "Sista dag idag", "red": "Försenad"}
DOC_TYPE_LABELS = {
    "anmalan": "Anmälan",
    "ansokan": "Ansökan",
    "arsrakning": "Årsräkning",
    "begaran_allman_handling": "Begäran om allmän handling",
    "beslut": "Beslut",
    "faktura": "Faktura",
    "forfragan": "Förfrågan",
    "inbjudan": "Inbjudan",
    "intyg": "Intyg",
    "kallelse": "Kallelse",
    "klagomal": "Klagomål",
    "komplettering": "Komplettering",
    "overklagande": "Överklagande",
    "ovrigt": "Övrigt",
    "paminnelse": "Påminnelse",
    "reklam": "Reklam",
    "remiss": "Remiss",
    "synpunkt": "Synpunkt",
}
NOTIFY_MODES = {
    "none": "Inga e-postaviseringar",
    "immediate": "Direkt när post kommer",
    "daily": "En sammanfattning per dag",
}


def doc_type_label(code: str | None) -> str:
    if not code:
        return "–"
    return DOC_TYPE_LABELS.get(code, code.replace("_", " ").capitalize())


# Flash messages (shown once, after a redirect; see flash.py).
FLASH = {
    "logged_out": "Du är utloggad.",
    "logged_out_everywhere": "Du är utloggad på alla enheter.",
    "routed": "Försändelse #{id} fördelad till {dept}.",
    "rerouted": "Försändelse #{id} omfördelad till {dept}.",
    "discarded": "Försändelse #{id} kastad. Den kan återställas under {days} dagar.",
    "restored": "Försändelse #{id} återställd till granskningskön.",
    "acknowledged": "Försändelse #{id} kvitterad.",
    "returned": "Försändelse #{id} skickad tillbaka till registraturen.",
    "bulk_none": "Markera minst en försändelse.",
    "bulk_discarded": "{n} försändelse(r) kastade. De kan återställas under {days} dagar.",
    "bulk_skipped": " Hoppade över (inte längre i facket): {ids}",
    "bulk_routed": "{n} försändelse(r) fördelade till {dept}.",
    "bulk_failed": " Ej fördelade: {why}",
    "queue_done": "Kön är tom. Bra jobbat!",
    "session_saved": "Du blev utloggad innan beslutet sparades. Logga in igen, så kan du spara det.",
    "pending_dropped": "Det osparade beslutet togs bort.",
    "settings_saved": "Dina inställningar är sparade.",
    "department_saved": "Avdelning {code} sparad.",
    "user_created": "Användaren {name} är skapad.",
    "user_saved": "Användaren {name} är sparad.",
    "password_set": "Nytt lösenord satt för {name}.",
    "user_active": "{name} är aktiverad.",
    "user_inactive": "{name} är avstängd.",
    "rule_created": "Regel #{id} är skapad.",
    "rule_saved": "Regel #{id} är sparad.",
    "rule_saved_inactive": "Regel #{id} är sparad (inaktiv).",
    "rule_deleted": "Regel #{id} är borttagen.",
}


def flash(key: str, **values: object) -> str:
    return FLASH[key].format(**values)


ERROR_TITLES = {
    400: "Felaktig begäran",
    401: "Inloggning krävs",
    403: "Åtkomst nekad",
    404: "Hittades inte",
    409: "Redan ändrad",
    413: "Filen är för stor",
    415: "Filtypen stöds inte",
    422: "Kunde inte genomföras",
}


def state_reason(reason: str | None) -> str:
    """Why an item is quarantined, failed or returned, in Swedish."""
    return error_text(reason, 422) if reason else ""
