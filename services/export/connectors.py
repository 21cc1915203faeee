"""Connectors to a diarium: the interface and two adapters.

- `FileDrop`: per item a folder `<export_dir>/<item id>/` with `record.json` (the payload), `erms.xml`
  and the files, written to a temporary name and renamed, so a diarium integration reading the folder
  never sees half an item; a `.done` marker is written last.
- `Webhook`: a signed POST of the JSON payload (HMAC-SHA256 over the body, header
  `X-Posthantering-Signature: sha256=<hex>`, with `X-Posthantering-Timestamp`), retried with
  exponential backoff on connection errors, timeouts and 5xx/408/429 answers. Any other answer that is
  not 2xx (a 4xx: the receiver refuses this item, and will refuse it again) ends the delivery at once
  with a permanent `Try`: the export service then gives the item up instead of trying it forever.
Each try is returned as a `Try` for the delivery log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx


@dataclass
class Package:
    item_id: int
    payload: dict[str, Any]  # the record as JSON (Public 360 / Platina integrations map it)
    erms_xml: bytes
    files: dict[str, Path] = field(default_factory=dict)  # name in the package -> file


@dataclass
class Try:
    ok: bool
    status_code: int | None
    detail: str
    permanent: bool = False  # a refusal that trying again cannot change (HTTP 4xx other than 408/429)


RETRYABLE_4XX = frozenset({408, 429})  # Request Timeout, Too Many Requests: try again later


def is_permanent(status_code: int) -> bool:
    """An answer that sending the same request again cannot change: not 2xx, 5xx, 408 or 429."""
    return not (200 <= status_code < 300 or status_code >= 500 or status_code in RETRYABLE_4XX)


class Connector(Protocol):
    name: str

    def deliver(self, package: Package) -> list[Try]: ...


class FileDrop:
    name = "filedrop"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def deliver(self, package: Package) -> list[Try]:
        dest = self.folder / str(package.item_id)
        tmp = self.folder / f".{package.item_id}.{os.getpid()}.tmp"
        try:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            (tmp / "record.json").write_text(json.dumps(package.payload, ensure_ascii=False, indent=2), "utf-8")
            (tmp / "erms.xml").write_bytes(package.erms_xml)
            for name, path in package.files.items():
                shutil.copyfile(path, tmp / name)
            (tmp / ".done").write_text("ok\n")
            if dest.exists():
                shutil.rmtree(dest)
            os.replace(tmp, dest)
        except OSError as e:
            shutil.rmtree(tmp, ignore_errors=True)
            return [Try(False, None, f"{type(e).__name__}: {e}")]
        return [Try(True, None, str(dest))]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Webhook:
    name = "webhook"

    def __init__(self, url: str, secret: str, tries: int = 4, backoff: float = 1.0, timeout: float = 10.0) -> None:
        self.url, self.secret, self.tries, self.backoff, self.timeout = url, secret, tries, backoff, timeout

    def deliver(self, package: Package) -> list[Try]:
        body = json.dumps(
            {**package.payload, "erms_xml": package.erms_xml.decode("utf-8")}, ensure_ascii=False
        ).encode()
        log: list[Try] = []
        for attempt in range(self.tries):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            ts = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "X-Posthantering-Timestamp": ts,
                "X-Posthantering-Signature": sign(self.secret, ts, body),
                "X-Posthantering-Item": str(package.item_id),
                "Idempotency-Key": f"posthantering-{package.item_id}",
            }
            try:
                r = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
            except httpx.HTTPError as e:
                log.append(Try(False, None, f"{type(e).__name__}: {e}"[:500]))
                continue
            if 200 <= r.status_code < 300:
                log.append(Try(True, r.status_code, "levererad"))
                return log
            permanent = is_permanent(r.status_code)
            log.append(Try(False, r.status_code, r.text[:300], permanent=permanent))
            if permanent:
                break  # the receiver refuses this request: retrying sends the same refusal
        return log
