"""Issue 9.3: register entries that contradict their number's prefix are flagged for an admin."""

from __future__ import annotations


def test_the_api_lists_flagged_entries(client, make_user, auth) -> None:
    admin = make_user("admin1", "admin")
    files = {"file": ("c.csv", b"number,department\nSN 2025/0100,TN\nTN 2025/0001,TN\n", "text/csv")}
    assert client.post("/api/v1/cases/import", files=files, headers=auth(admin)).status_code == 200
    body = client.get("/api/v1/cases?flagged=true", headers=auth(admin)).json()
    assert [(c["number"], c["flagged"]) for c in body["items"]] == [("SN 2025/0100", True)]
