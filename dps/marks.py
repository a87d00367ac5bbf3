"""The marks every step of a run adds to the frame: the lowest layer, imported by all the others.

Marked DataFrame = the input columns + `dps_status` (kept | filtered | duplicate | quarantined) + `dps_reason`
+ `dps_raw` (the raw input line of a record that could not be read, else null). No row ever leaves it: a stage
changes a row's status and reason, and every row is counted in the report.
"""

STATUS, REASON, RAW = "dps_status", "dps_reason", "dps_raw"
MARK_COLUMNS = (STATUS, REASON, RAW)
STATUSES = ("kept", "filtered", "duplicate", "quarantined")
