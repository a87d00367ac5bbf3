"""The marks every step of a run adds to the frame: the lowest layer, imported by all the others.

Marked DataFrame = the input columns + `dps_status` (kept | filtered | duplicate | quarantined) + `dps_reason`
+ `dps_raw` (the raw input line of a record that could not be read, else null) + `dps_detail` (see DETAIL).
No row ever leaves it: a stage changes a row's status and reason, and every row is counted in the report.
"""

STATUS, REASON, RAW = "dps_status", "dps_reason", "dps_raw"
# Why a text stage rejected a record (JSON): a filter's measured values beside its thresholds, the error that
# quarantined it. Added by the first text pass; null where no text stage rejected the record.
DETAIL = "dps_detail"
MARK_COLUMNS = (STATUS, REASON, RAW, DETAIL)
STATUSES = ("kept", "filtered", "duplicate", "quarantined")
