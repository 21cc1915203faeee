"""Gazetteers and line patterns of Swedish letters: company suffixes, authority and association words,
addresses, greetings, subject labels and headings."""

from __future__ import annotations

import re

# --- gazetteers -------------------------------------------------------------------------------------------
COMPANY_RE = re.compile(
    r"\b(AB|HB|KB|Aktiebolag|Handelsbolag|Kommanditbolag|Ltd|GmbH|Oy|AS|A/S|ApS|Inc|LLC|Advokatbyrå|Advokatfirma|"
    r"Inkasso|Redovisningsbyrå|Revisionsbyrå|Bokföringsbyrå|Fastighetsbyrå|Mäklarbyrå|Begravningsbyrå|enskild firma)\b"
    r"|\(publ\)"
)
AUTHORITY_RE = re.compile(
    r"(?i)\b(kommun(en|ens|s)?\b|region(en)?\b|regionen|länsstyrelsen|tingsrätt|hovrätt|förvaltningsrätt|myndighet|verket|"
    r"försäkringskassan|polis|arbetsförmedlingen|lantmäteriet|skatteverket|kronofogden|inspektionen|"
    r"skola|skolan|förskola|gymnasium|äldreboende|vårdcentral|sjukhus|gmina|municipality|landsting|"
    r"\w+(?:skola|skolan|gymnasiet|boende|boendet|förskolan)\b|"
    r"migrationsverket|transportstyrelsen|trafikverket|domstol|åklagar|statens|rikspolis|IVO|"
    # words authorities are named with: -nämnd, -förvaltning, -myndighet(en), -verket, -inspektionen, -styrelsen
    r"\w+nämnd(en)?\b|\w+förvaltning(en)?\b|\w+myndighet(en)?\b|\w+verket\b|\w+inspektionen\b|"
    r"\w*styrelsen\b|\w+ombudsman(nen)?\b|\w*länsstyrelse|\w+s län\b|kammarkollegiet|"
    r"universitet(et)?|högskola(n)?|kommunförbund(et)?|räddningstjänst(en)?|kommunalförbund(et)?|"
    r"\w+departementet\b|regeringskansliet|riksdagen|\w+rätten\b|"
    # state bodies whose names carry none of the words above; embassies; English names of authorities
    r"försvarsmakten|riksarkivet|kustbevakningen|sametinget|justitiekanslern|riksgälden|tullverket|"
    r"ambassad(en)?|konsulat(et)?|embassy|consulate|city of|county|ministry|\bCSN\b|\bSMHI\b|\bMSB\b)"
)
ASSOCIATION_RE = re.compile(
    r"(?i)(förening|föreningen|klubb|byalag|förbund|\bIF\b|\bIK\b|\bBK\b|\bFF\b|\bSK\b|idrottssällskap|"
    r"scoutkår|hembygds|\bvision\b|kommunal\b|fack|pensionärs|\bPRO\b|\bSPF\b|basket|innebandy|fotboll|"
    r"blues|kör\b|sällskap|riksförbund|samfällighet|bostadsrättsförening|\bbrf\b|allians|nätverk|"
    # economic and non-profit associations, foundations, parishes, sports clubs
    r"\bek\.?\s?för\b|\bek\.\s?förening|ekonomisk förening|ideell förening|stiftelse(n)?\b|församling(en)?\b|"
    r"\bGoIF\b|\bFK\b|\bIS\b|\bAIK\b|\bIBK\b|\bHK\b|\bBTK\b|\bRF\b|\bSISU\b|intresseorganisation|"
    r"\w+gille(t)?\b|"
    # trade unions, political parties, churches and charities, English names of associations
    r"unionen|ledarna|\bseko\b|akademikerförbundet|sveriges ingenjörer|vårdförbundet|lärarförbundet|"
    r"sveriges lärare|fackförbund|fackklubb|\w+partiet\b|socialdemokraterna|moderaterna|liberalerna|"
    r"kristdemokraterna|sverigedemokraterna|svenska kyrkan|röda korset|rädda barnen|scout|lions|rotary|"
    r"friluftsfrämjandet|villaägarna|folkets hus|association|society|foundation|\bclub\b)"
)
# The addressee: "<name> kommun" (the letters' own municipality; not tied to one name).
OWN_MUNICIPALITY = re.compile(r"(?i)\b[\wåäö-]+s? kommun\b")
POSTCODE_RE = re.compile(r"\b\d{3}\s?\d{2}\s+[A-ZÅÄÖ][A-Za-zÅÄÖåäö]+")
STREET_RE = re.compile(
    r"(?i)\b([A-ZÅÄÖ][\wåäö-]*(gatan|vägen|gränd|torget|plan|stigen|backe|allé|väg|gata)\s+\d+\w?|box\s+\d+)"
)
GREETING_RE = re.compile(
    r"(?i)^(med\s+)?(vänlig(a)?|bästa|varma|hjärtliga|\w+)\s+hälsning(ar)?|^mvh\b|^hälsningar|^vänligen|^hälsar\b|"
    r"^med vänlig|^vänliga?\b"
)
ORGNR_RE = re.compile(r"(?i)org(?:anisations)?\.?\s*-?\s*nr\.?:?\s*(\d{6}-?\d{4})")
PNR_LABEL_RE = re.compile(r"(?i)personnummer:?\s*((?:19|20)?\d{6}[-+ ]?\d{4})")

# "Ärende:", "Angående", "Ang.", "Betr." and how OCR reads them ("Arende;", "Angaende", "Ang:", "Ämne :")
SUBJECT_LABEL_RE = re.compile(
    r"(?i)^((?:ärende|[aåà]rende)\s*/\s*avser|avser\s*/\s*ärende|"  # a form's "Ärende/Avser:"
    r"ärende|[aåà]rende|angående|ang[aå]ende|ang[.:]|rubrik|ämne|amne|re|betr[.:]|beträffande|avser(?=\s*:)|"
    r"subject|regarding(?=\s*:)|concerning(?=\s*:))\s*([:.;]|\s[-–](?=\s))?\s+(?P<s>.+)$"
)
SKIP_SUBJECT = re.compile(
    r"(?i)^((till|att|attn|datum|hej|bästa|dear|till berörd|sida|från|avsändare|mottagare|tel|telefon|e-post|to the|"
    r"ert dnr|vår beteckning|vår ref|er ref|our ref|your ref|dnr|mål nr|fastighet|hejsan|god dag|kära|inkom|ankom)\b"
    r"|tack(\s+(på förhand|i förväg|för hjälpen|så mycket))?\W*$"
    r"|bilag|org|\d|www\.)"
)
SALUTATION_RE = re.compile(r"(?i)^(hej|hejsan|bästa|till berörd|god dag|kära|dear|till dig|hello)\b")

TITLE_RE = re.compile(
    r"(?i)^(ansökan|anmälan|begäran|medborgarförslag|läkarintyg|årsräkning|förteckning|överklagande|överklagan|"
    r"kreditfaktura|faktura|klagomål|synpunkt(er)?|orosanmälan|rapport|redovisning|komplettering|intyg|"
    r"förfrågan|uppsägning|intresseanmälan|betalningspåminnelse|inkassokrav|påminnelse|samråd|inbjudan|"
    # English letters' kinds ("Invitation: free webinar ...")
    r"invitation|invoice|application|complaint|request|reminder)\b"
)
STAMP_RE = re.compile(r"(?i)^(inkom|ankom|inkommen|ankomststämpel)\b")
GENERIC_HEADINGS = {
    "kallelse", "remiss", "beslut", "meddelande", "information", "protokoll", "inbjudan", "brev",
    # a document's kind over its title ("MEDBORGARFÖRSLAG" over "Sänd fullmäktiges sammanträden via webben")
    "medborgarförslag", "motion", "skrivelse", "yttrande",
}  # fmt: skip
KEY_VALUE_RE = re.compile(r"^[\wåäöÅÄÖ ./()-]{2,40}:\s")

SIGN_PREFIX_RE = re.compile(
    r"(?i)^((/|–|-|mvh|hälsningar|underskrift:?|undertecknad:?|vänliga hälsningar|hälsning|från|hälsar)\s*|"
    r"(genom|kyrkoherde|präst|pastor|rektor|kommunalråd|kommundirektör|förvaltningschef|verksamhetschef|"
    r"enhetschef|avdelningschef|handläggare|advokat|jurist|ombud|sekreterare|ordförande|kassör)\s+(?=[A-ZÅÄÖ]))"
)
ORG_WORDS = re.compile(
    r"(?i)förening|klubb|\bAB\b|kommun|nordea|swedbank|handelsbanken|konto|banken|skola|förskola|boende|nämnd"
)


# words a business is named with, when its name carries no company suffix ("Solviks Byggservice",
# "Pizzeria Napoli", "Åkessons Elektriska"): used to tell such a name from a person's
BUSINESS_WORDS_RE = re.compile(
    r"(?i)\b(\w*(service|konsult|konsulter|teknik|transport|måleri|städ|data|design|gruppen|partners?|kompaniet|"
    r"fabriken|verkstad|entreprenad|handel|import|fastigheter|åkeri|bageri|frisör|elektriska|bygg|byggen|snickeri|"
    r"trädgård|redovisning|försäkring|hotell|restaurang|pizzeria|café|kafé|konditori|livs|kiosk|butik|salong|"
    r"camping|vandrarhem|förlag|tryckeri|media|reklam|mäklare|bilar|motor|maskin))\b"
)


def is_org_name(s: str) -> bool:
    """ "Brf Måsen", "Kuopion Kone Oy", "Procurement Unit": named like an organisation, not a person."""
    return bool(COMPANY_RE.search(s) or ASSOCIATION_RE.search(s) or AUTHORITY_RE.search(s) or ORG_NAME_WORDS.search(s))


# words that name a unit or an organisation in English letters, and a few Swedish ones the gazetteers lack
ORG_NAME_WORDS = re.compile(
    r"(?i)\b(unit|department|centre|center|office|service|services|council|board|ministry|agency|"
    r"enheten|avdelningen|sektionen|kundservice|kundtjänst)\b"
)
