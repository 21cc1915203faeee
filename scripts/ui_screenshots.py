"""Screenshots of the registry's workstation: the queue, the item view and the inbox (and the inbox on a
phone), from a private server with a few seeded letters. Written to docs/screenshots/<prefix>-*.png.

    .venv/bin/python scripts/ui_screenshots.py --prefix after
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.processes import stack
from tests.support.workstation import LETTERS, add_item, add_user, chromium, login

SUGGEST = [{"department": "SBN", "confidence": 0.55}, {"department": "KS", "confidence": 0.3}]


def seed(s: object) -> int:
    add_user(s, "rita", "registrar")  # type: ignore[arg-type]
    add_user(s, "hanna", "department", ["SBN"])  # type: ignore[arg-type]
    first = add_item(
        s,  # type: ignore[arg-type]
        LETTERS["bygglov"],
        suggested_department="SBN",
        suggestions=SUGGEST,
        case_refs=["SBN 2025/0142"],
        reasons={"rule": "case_ref SBN 2025/0142", "terms": ["bygglov", "carport"], "threshold": 0.85},
    )
    add_item(s, LETTERS["buller"], suggested_department="MHN", doc_type="klagomal", confidence=0.61)  # type: ignore[arg-type]
    add_item(s, LETTERS["skola"], suggested_department="BUN", doc_type="synpunkt", confidence=0.48)  # type: ignore[arg-type]
    ad = {"suggested_department": "INGEN", "doc_type": "reklam", "reasons": {"tray": "discard"}}
    add_item(s, LETTERS["reklam"], confidence=0.56, **ad)  # type: ignore[arg-type]
    for text in (LETTERS["bygglov"].replace("carport", "altan"), LETTERS["bygglov"].replace("carport", "garage")):
        add_item(s, text, state="routed", department_code="SBN", routed_at=datetime.now(UTC), decision="auto")  # type: ignore[arg-type]
    return first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--prefix", default="after")
    ap.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, stack(Path(tmp)) as s:
        first = seed(s)
        s.start_api()
        base = s.base_url
        with chromium() as browser:
            reg = login(browser, base, "rita")
            reg.goto(f"{base}/ui/ko")
            reg.screenshot(path=str(args.out / f"{args.prefix}-queue.png"), full_page=True)
            reg.goto(f"{base}/ui/mail/{first}")
            reg.locator("#pages img").first.evaluate("img => img.decode()")
            reg.wait_for_timeout(300)
            reg.screenshot(path=str(args.out / f"{args.prefix}-item.png"), full_page=True)
            hr = login(browser, base, "hanna")
            hr.goto(f"{base}/ui/inkorg")
            hr.screenshot(path=str(args.out / f"{args.prefix}-inbox.png"), full_page=True)
            phone = login(browser, base, "hanna", viewport={"width": 390, "height": 844}, is_mobile=True)
            phone.goto(f"{base}/ui/inkorg")
            phone.screenshot(path=str(args.out / f"{args.prefix}-inbox-phone.png"), full_page=True)
    print(f"written: {args.out}/{args.prefix}-*.png")


if __name__ == "__main__":
    main()
