"""Number formatting shared by the console summary, the charts and the HTML pages."""

from __future__ import annotations


def pct(fraction: float | None) -> str:
    """A share for people: never '0.00%' for something that is not zero."""
    if fraction is None:
        return "-"
    if fraction == 0:
        return "0%"
    if fraction < 0.0001:
        return "<0.01%"
    return f"{fraction:.2%}"
