"""A text stage's way to quarantine a record with a named reason instead of returning a result.

A filter's reason marks a record `filtered` (bad text); some records are not bad text but broken input that no
stage can turn into text (a mis-decoded page that is mostly U+FFFD). A stage raises `Quarantine("reason")` and
the chain marks the record `quarantined` with reason `STAGE:reason`, like the reader's `read:*` reasons, instead
of the `STAGE:error:Type` an unexpected exception gets.
"""

from __future__ import annotations

import re

_REASON = re.compile(r"[a-z][a-z0-9_]*")


class Quarantine(Exception):
    """Raised by a text stage to quarantine the record; `reason` is snake_case (reported as STAGE:reason)."""

    def __init__(self, reason: str):
        if not _REASON.fullmatch(reason):
            raise ValueError(f"quarantine reason must be snake_case, got {reason!r}")
        super().__init__(reason)
        self.reason = reason


class Reject(Quarantine):
    """Raised by a map stage whose verdict on the whole document is rejection (segment_filter: too few segments
    left once the bad ones are removed). The chain marks the record `filtered` as STAGE:reason, like a filter's
    reason, and writes `detail` (a JSON-able dict) as its evidence in dps_detail. An adapter that does not know
    Reject quarantines the record as STAGE:reason, as for its base class."""

    def __init__(self, reason: str, detail: dict | None = None):
        super().__init__(reason)
        self.detail = detail
