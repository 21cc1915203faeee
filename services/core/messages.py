"""The services' messages in Swedish, for the people who read them: a domain error's message (English,
developer-facing, as the JSON API gives it) turned into Swedish for the web UI and the CLI. A message
with no translation falls back to a Swedish sentence for its HTTP status, so no English reaches a page
or an operator's terminal (tests/e2e/test_ui_swedish.py crawls every page as each role to check).
"""

from __future__ import annotations

import re

GENERIC_ERRORS = {
    400: "Begäran kunde inte tolkas.",
    401: "Logga in för att fortsätta.",
    403: "Du har inte behörighet att göra det här.",
    404: "Det du söker finns inte, eller så har du inte behörighet att se det.",
    409: "Försändelsen har redan ändrats av någon annan. Ladda om sidan.",
    413: "Filen är för stor.",
    415: "Filtypen stöds inte.",
    422: "Uppgifterna kunde inte sparas. Kontrollera fälten och försök igen.",
}

# (pattern on the service's English message, Swedish replacement). First match wins.
_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^no mail item (\d+)$"), r"Försändelse #\1 finns inte, eller så har du inte behörighet att se den."),
    (re.compile(r"^no department '?([^']*)'?$"), r"Avdelningen \1 finns inte."),
    (re.compile(r"^unknown department\(s\): (.*)$"), r"Okänd avdelning: \1."),
    (re.compile(r"^unknown department '?([^']*)'?"), r"Okänd avdelning: \1."),
    (re.compile(r"^department (\S+) is not active"), r"Avdelningen \1 är inte aktiv."),
    (re.compile(r"^department (\S+) cannot receive mail"), r"Avdelningen \1 tar inte emot post."),
    (re.compile(r"^item (\d+) is already routed to (\S+)"), r"Försändelse #\1 är redan fördelad till \2."),
    (re.compile(r"^item (\d+) is (\w+), expected"), r"Försändelse #\1 har redan ändrats. Ladda om sidan."),
    (re.compile(r"^item (\d+) cannot go from"), r"Försändelse #\1 kan inte ändras så i sitt nuvarande läge."),
    (re.compile(r"^item (\d+) is (\w+); only items waiting"), r"Försändelse #\1 väntar inte längre på granskning."),
    (
        re.compile(r"^item (\d+) is not addressed to your department"),
        r"Försändelse #\1 är inte ställd till din avdelning.",
    ),
    (re.compile(r"^item (\d+) is (\w+), not failed"), r"Försändelse #\1 har inte misslyckats."),
    (re.compile(r"^item (\d+) has no page (\d+)"), r"Försändelse #\1 har ingen sida \2."),
    (re.compile(r"^item (\d+) has no searchable PDF"), r"Det finns ingen sökbar PDF för försändelse #\1 ännu."),
    (re.compile(r"^the original (?:file )?of item (\d+)"), r"Originalfilen till försändelse #\1 saknas."),
    (re.compile(r"^a comment is required"), "Skriv en kommentar."),
    (re.compile(r"^a reason is required"), "Skriv ett skäl till omfördelningen."),
    (re.compile(r"^item (\d+) can no longer be restored"), r"Försändelse #\1 kan inte längre återställas."),
    (re.compile(r"^role '?(\w+)'? may not"), "Din roll har inte behörighet att göra det här."),
    (re.compile(r"^role '?(\w+)'? has no"), "Din roll har inte tillgång till den här sidan."),
    (re.compile(r"^only the registry"), "Bara registraturen kan göra det här."),
    (re.compile(r"^give between 1 and (\d+) ids"), r"Markera mellan 1 och \1 försändelser."),
    (re.compile(r"^human_seconds must be"), "Ogiltig tidsmätning; ladda om sidan."),
    (re.compile(r"^the department name must be"), "Avdelningens namn ska vara 1–200 tecken."),
    (re.compile(r"^limit must be|^offset must not"), "Ogiltig sidindelning."),
    (re.compile(r"^unknown state"), "Okänt läge."),
    (re.compile(r"^unknown role '?([^';]*)'?; one of (.*)$"), r"Okänd roll: \1 (välj en av \2)."),
    (re.compile(r"^unknown role|^role must be"), "Okänd roll."),
    (re.compile(r"^user name must not be empty"), "Användarnamnet får inte vara tomt."),
    (re.compile(r"^user name is longer than"), "Användarnamnet är för långt (högst 120 tecken)."),
    (
        re.compile(r"^a department user needs at least one department"),
        "En avdelningsanvändare behöver minst en avdelning.",
    ),
    (re.compile(r"^unknown department\(s\): (.*)$"), r"Okänd avdelning: \1."),
    (re.compile(r"^user '?([^']*)'? already exists"), r"Det finns redan en användare som heter \1."),
    (
        re.compile(r"^you cannot take the admin role from yourself"),
        "Du kan inte ta administratörsrollen från dig själv.",
    ),
    (re.compile(r"^you cannot deactivate yourself"), "Du kan inte stänga av dig själv."),
    (re.compile(r"^no rule (\d+)"), r"Regel #\1 finns inte."),
    (re.compile(r"^(?:the )?password"), "Lösenordet är för kort (minst 8 tecken)."),
    (
        re.compile(r"^a user named (.+) already exists|^user (.+) already exists"),
        "Det finns redan en användare med det namnet.",
    ),
    (re.compile(r"^no user '([^']*)'$"), r"Användaren \1 finns inte."),
    (re.compile(r"^no user"), "Användaren finns inte."),
    (re.compile(r"^no token (\d+)"), r"Token #\1 finns inte."),
    # Model versions and the case register (services/classify/versions.py, cases.py; the CLI).
    (re.compile(r"^no model version '?([^']*)'?$"), r"Modellversionen \1 finns inte."),
    (re.compile(r"^model version '?([^']*)'? has no files"), r"Modellversionen \1 saknar sina filer."),
    (re.compile(r"^no older model version"), "Det finns ingen äldre modellversion att gå tillbaka till."),
    (re.compile(r"^more than (\d+) rows"), r"Filen har fler än \1 rader."),
    (
        re.compile(r"^the CSV needs a header"),
        "CSV-filen behöver en rubrikrad med minst kolumnerna number,department[,title].",
    ),
    # The blob store (services/core/blobs.py; `posthantering blobs copy`).
    (re.compile(r"^unknown blob backend '?([^']*)'?"), r"Okänd lagring: \1 (välj folder eller postgres)."),
    (re.compile(r"^the postgres blob backend needs"), "Lagringen postgres kräver en PostgreSQL-databas."),
    (re.compile(r"^blob (\S+) has the content of (\S+)"), r"Blobben \1 har innehållet från \2 och kopierades inte."),
    (re.compile(r"^(?:the )?name"), "Ogiltigt namn."),
    # Intake and quarantine reasons (services/ingest/sniff.py, extract.py; the pipeline runner).
    (re.compile(r"^empty file"), "Tom fil (0 byte)."),
    (re.compile(r"^file is (.+), larger than the limit of (.+)$"), r"Filen är \1, större än gränsen \2."),
    (re.compile(r"^cannot read the file|^filen kan inte läsas"), "Filen kan inte läsas."),
    (
        re.compile(r"^unsupported file type"),
        "Filtypen stöds inte: varken PDF, TIFF, PNG eller JPEG (bedömt på innehållet).",
    ),
    (re.compile(r"^the document has no pages"), "Dokumentet har inga sidor."),
    (re.compile(r"^too many pages: (\d+) \(limit (\d+)\)"), r"För många sidor: \1 (gräns \2)."),
    (re.compile(r"^truncated or damaged PDF"), "Avkortad eller skadad PDF (slutmarkering saknas)."),
    (re.compile(r"^encrypted PDF"), "Krypterad PDF (lösenordsskyddad); skicka den utan lösenord."),
    (
        re.compile(r"^damaged PDF|^cannot open the PDF|^skadad PDF, kan inte öppnas|^PDF-filen kan inte öppnas"),
        "Skadad PDF, kan inte öppnas.",
    ),
    (re.compile(r"^skadad PDF, en sida kan inte läsas"), "Skadad PDF, en sida kan inte läsas."),
    (re.compile(r"^(?:page (\d+): )?image too large"), "Bilden är för stor för att behandlas säkert."),
    (
        re.compile(r"^damaged or unreadable image|^damaged image|^damaged TIFF|^skadad eller oläsbar bild"),
        "Skadad eller oläslig bild.",
    ),
    (re.compile(r"^page (\d+): the document has no such page"), r"Sida \1 finns inte i dokumentet."),
    (re.compile(r"^page (\d+): too large to process"), r"Sida \1 är för stor för att behandlas."),
    (
        re.compile(r"^page (\d+): damaged or unreadable|^sida (\d+): skadad eller oläsbar"),
        r"Sida \1\2 är skadad eller oläslig.",
    ),
    (re.compile(r"^fel mottagare: (.*)$", re.DOTALL), r"Fel mottagare: \1"),
    (re.compile(r"^([\w.]+): gave up after (\d+) tries"), r"Gav upp efter \2 försök (steg \1)."),
]
_STEP_FAILURE = re.compile(r"^(ingest|classify|route|ocr|extract)[\w.]*: (.*)$", re.DOTALL)
_ENGLISH_HINT = re.compile(
    r"\b(the|is|not|no|of|and|must|cannot|failed|error|unknown|item|page|file|invalid|too|with)\b", re.I
)


def error_text(message: str | None, status_code: int = 422) -> str:
    """A service's message in Swedish: a known message translated keeping its details, else a
    Swedish sentence for the status (an untranslated English message is never shown)."""
    text = (message or "").strip()
    for pattern, swedish in _ERRORS:
        m = pattern.search(text)
        if m:
            return m.expand(swedish)
    step = _STEP_FAILURE.match(text)
    if step:
        inner = error_text(step.group(2), status_code)
        return f"Behandlingen misslyckades: {inner}"
    if text and not _ENGLISH_HINT.search(text):
        return text  # already Swedish (the UI's own messages)
    return GENERIC_ERRORS.get(status_code, "Något gick fel. Försök igen eller kontakta en administratör.")
