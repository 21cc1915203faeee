"""The pipeline's state machine (see DESIGN.md)."""

from __future__ import annotations

from enum import StrEnum


class MailState(StrEnum):
    received = "received"
    extracted = "extracted"
    classified = "classified"
    routed = "routed"
    needs_review = "needs_review"
    acknowledged = "acknowledged"
    returned = "returned"
    quarantined = "quarantined"
    failed = "failed"
    discarded = "discarded"  # advertising etc. (INGEN): confirmed by the registry, not registered
    # issue 16: a scanned pile whose letters became items of their own, or that waits for a registrar
    split = "split"
    split_review = "split_review"


# Where a letter decided on its first pages goes when its last page shows it was a pile (issue 11).
AFTER_EARLY: frozenset[MailState] = frozenset({MailState.split, MailState.split_review})

# Which states may follow which. Anything else is a programming error or a stale request.
TRANSITIONS: dict[MailState, frozenset[MailState]] = {
    # received -> routed: an envelope that must stay closed (issue 12, registration.unopened), registered
    # from typed fields and forwarded unopened: no extraction, no OCR, no classification.
    MailState.received: frozenset({MailState.extracted, MailState.quarantined, MailState.failed, MailState.routed}),
    MailState.extracted: frozenset({MailState.classified, MailState.failed, MailState.split, MailState.split_review}),
    MailState.classified: frozenset({MailState.routed, MailState.needs_review, MailState.failed, *AFTER_EARLY}),
    # An item decided on its first pages (issue 11) whose last page shows a pile: split, or a registrar decides.
    MailState.needs_review: frozenset({MailState.routed, MailState.discarded, *AFTER_EARLY}),
    MailState.routed: frozenset({MailState.acknowledged, MailState.returned, MailState.routed, *AFTER_EARLY}),
    MailState.returned: frozenset({MailState.routed, *AFTER_EARLY}),
    MailState.acknowledged: frozenset(),
    # Only when the environment caused the quarantine (a full disk): runner.retry_failed checks the reason.
    MailState.quarantined: frozenset({MailState.received}),
    # A discard can be undone within the restore period (POSTHANTERING_DISCARD_RESTORE_DAYS).
    MailState.discarded: frozenset({MailState.needs_review}),
    MailState.split_review: frozenset({MailState.split}),
    MailState.split: frozenset(),
    # A failed item can be retried: it goes back to the state its failed step started from.
    MailState.failed: frozenset({MailState.received, MailState.extracted, MailState.classified}),
}

# States in which the machine owes the item a step; the sweeper watches these.
PIPELINE_STATES: frozenset[MailState] = frozenset({MailState.received, MailState.extracted, MailState.classified})
# States where a human decides next.
WAITING_FOR_HUMAN: frozenset[MailState] = frozenset(
    {MailState.needs_review, MailState.returned, MailState.routed, MailState.split_review}
)
FINAL_STATES: frozenset[MailState] = frozenset(
    {MailState.acknowledged, MailState.quarantined, MailState.discarded, MailState.split}
)


def can_transition(src: MailState, dst: MailState) -> bool:
    return dst in TRANSITIONS[src]
