"""A summary table as a self-contained HTML page for the report (no script, no network: inline
style only), every cell showing a readable value and carrying the exact one in ``data-value``.

>>> page = html_table({"method": ["lbfgs"], "loss": [0.0026126]}, title="Training")
>>> 'data-value="0.0026126"' in page and "<th>loss</th>" in page
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np

STYLE = (
    "body{font-family:sans-serif;margin:1em;color:#222}"
    "table{border-collapse:collapse;font-size:13px}"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right;white-space:nowrap}"
    "th{background:#eee}td.text{text-align:left}caption{text-align:left;margin:.5em 0}"
)


def _cell(value) -> tuple[str, str, bool]:
    """(exact text, shown text, is text) of one value."""
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, bool):
        return str(value), str(value).lower(), True
    if isinstance(value, float):
        return repr(value), f"{value:.6g}", False
    if isinstance(value, int):
        return str(value), f"{value:,}", False
    return str(value), str(value), True


def html_table(columns: Mapping[str, Sequence], *, title: str, caption: str = "") -> str:
    """The table ``columns`` (name -> values, equal lengths) as one HTML page."""
    names = list(columns)
    rows = zip(*(columns[name] for name in names), strict=True)
    head = "".join(f"<th>{html.escape(name)}</th>" for name in names)
    body = []
    for row in rows:
        cells = []
        for value in row:
            exact, shown, text = _cell(value)
            kind = ' class="text"' if text else ""
            cells.append(f'<td{kind} data-value="{html.escape(exact)}">{html.escape(shown)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><h3>{html.escape(title)}</h3>"
        f"<table>{note}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "</body></html>\n"
    )
