"""The pack's index pages, ``metrics.json`` and ``manifest.json``."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from compass_nb.report.html import CSS

PERIOD = re.compile(r"^\d{4}-\d{2}$")


def _esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def format_value(figure: dict) -> str:
    """A headline figure as text, with its format (``{:.1%}``) when it applies."""
    value = figure.get("value")
    if value is None:
        return "–"
    try:
        return figure.get("fmt", "{}").format(value)
    except (ValueError, TypeError):
        return str(value)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1.0"><title>{_esc(title)}</title>'
        f'<style type="text/css">{CSS}</style></head><body><main>{body}</main></body></html>'
    )


#: The S&OP chain in the order a cycle runs it; the other analyses follow.
SOP_ORDER = (
    "01_data_collection",
    "forecasting",
    "02_demand_planning",
    "03_supply_planning",
    "04_pre_sop_review",
    "05_executive_sop",
    "06_implementation_tracking",
)
#: Prefix of a headline figure that belongs on the front page's "needs attention" list.
ATTENTION = "attention_"
#: A fall of the company eNPS by at least this many points is an alert.
ENPS_ALERT_POINTS = 5.0


def pack_order(names) -> list[str]:
    """Notebooks in S&OP order (data, forecast, 02–06), then the other analyses as given."""
    names = list(names)
    first = [n for n in SOP_ORDER if n in names]
    return first + [n for n in names if n not in SOP_ORDER]


def _size(figure: dict) -> float:
    value = figure.get("value")
    return abs(float(value)) if isinstance(value, int | float) else 0.0


def attention(manifest: dict, metrics: dict) -> list[dict]:
    """What needs attention across the pack, each with the report it links to.

    Read from the notebooks' headline figures: every figure whose key starts with
    ``attention_`` (the largest budget gaps, capacity short, decisions pending, … each
    step names its own), notebooks that did not complete (not those skipped for tables the
    source lacks: the summary names them), quarantined rows, and a fall of the company
    eNPS. Returns ``notebook``, ``text`` (with the figure) in pack order; the page puts the
    notebook's title, linked, before each text.
    """
    items = []
    statuses = manifest.get("notebooks", {})
    for name in pack_order(statuses):
        item = statuses[name]
        if item.get("status") != "ok" and not _for_absent_tables(item):
            note = item.get("error") or ""
            text = f"{item['status']} ({note})" if note else item["status"]
            items.append({"notebook": name, "text": text})
    for name in pack_order(metrics):
        figures = [(k, f) for k, f in metrics.get(name, {}).items() if k.startswith(ATTENTION)]
        figures.sort(key=lambda kf: -_size(kf[1]))
        for key, figure in figures:
            items.append(
                {
                    "notebook": name,
                    "text": f"{figure.get('label', key)}: {format_value(figure)}",
                }
            )
    quarantined = metrics.get("01_data_collection", {}).get("rows_quarantined", {}).get("value")
    if quarantined:
        items.append(
            {
                "notebook": "01_data_collection",
                "text": f"{quarantined:,} input rows quarantined (see the data quality section)",
            }
        )
    change = metrics.get("enps", {}).get("enps_change", {}).get("value")
    if change is not None and change <= -ENPS_ALERT_POINTS:
        items.append(
            {
                "notebook": "enps",
                "text": f"Company eNPS fell by {abs(change):.0f} points since the previous survey",
            }
        )
    return items


def _for_absent_tables(item: dict) -> bool:
    """Whether a notebook was skipped because the source lacks tables it needs."""
    return item.get("status") == "skipped" and str(item.get("error") or "").startswith("skipped:")


def period_index(manifest: dict, metrics: dict) -> str:
    """The period's ``index.html``: what needs attention, then every notebook in S&OP order
    with its status, its headline figures and a link."""
    statuses = manifest["notebooks"]
    order = pack_order(statuses)
    absent = [name for name in order if _for_absent_tables(statuses[name])]
    failed = [n for n in order if statuses[n]["status"] != "ok" and n not in absent]
    done = len(statuses) - len(failed) - len(absent)
    verdict = f"{done} of {len(statuses)} notebooks completed"
    if absent:
        verdict += f"; skipped for tables the source lacks: {', '.join(absent)}"
    verdict += f"; not completed: {', '.join(failed)}." if failed else "."
    params = manifest.get("parameters", {})
    header = (
        f'<header class="compass-runheader"><p class="compass-note"><a href="../index.html">← all periods</a></p>'
        f"<h1>Compass pack — {_esc(manifest['period'])}</h1><dl>"
        f"<dt>Period</dt><dd>{_esc(manifest['period'])}</dd>"
        f"<dt>Run</dt><dd>{_esc(manifest['run_id'])}</dd>"
        f"<dt>Data fingerprint</dt><dd>{_esc(manifest['fingerprint'])}</dd>"
        f"<dt>Source</dt><dd>{_esc(params.get('source'))}</dd>"
        f"<dt>Currency, horizon</dt><dd>{_esc(params.get('currency'))}, {_esc(params.get('horizon'))} months</dd>"
        f"<dt>Compass version</dt><dd>{_esc(manifest['versions'].get('compass_nb'))}</dd>"
        "</dl></header>"
    )
    approved = metrics.get("05_executive_sop", {}).get("approved_scenario", {}).get("value")
    lines = [verdict]
    if approved == "decisions pending":
        lines.insert(
            0,
            "Executive S&OP: decisions pending — nothing is approved until the meeting records it.",
        )
    elif approved:
        lines.insert(0, f"Executive S&OP: plan approved on the {approved} scenario.")
    summary = (
        '<div class="compass-summary"><strong>Summary</strong><ul>'
        + "".join(f"<li>{_esc(line)}</li>" for line in lines)
        + "</ul></div>"
    )
    items = attention(manifest, metrics)
    needs = (
        '<h2>Needs attention</h2><ul class="compass-attention">'
        + "".join(
            f'<li><a href="{_esc(i["notebook"])}.html">{_esc(statuses.get(i["notebook"], {}).get("title", i["notebook"]))}</a>: {_esc(i["text"])}</li>'
            for i in items
        )
        + "</ul>"
        if items
        else '<h2>Needs attention</h2><p class="compass-note">Nothing across the pack needs attention.</p>'
    )
    rows = []
    for name in order:
        item = statuses[name]
        figures = {k: f for k, f in metrics.get(name, {}).items() if not k.startswith(ATTENTION)}
        cards = "".join(
            f'<div class="compass-card"><div class="label">{_esc(f.get("label", key))}</div>'
            f'<div class="value">{_esc(format_value(f))}</div></div>'
            for key, f in figures.items()
        )
        link = f'<a href="{_esc(name)}.html">{_esc(item.get("title", name))}</a>'
        rows.append(
            f'<tr><td>{link}</td><td class="status-{_esc(item["status"])}">{_esc(item["status"])}</td>'
            f"<td>{_esc(item.get('duration', ''))} s</td><td>{_esc(item.get('error', ''))}</td></tr>"
            + (
                f'<tr><td colspan="4"><div class="compass-cards">{cards}</div></td></tr>'
                if cards
                else ""
            )
        )
    table = (
        '<h2>Reports</h2><table class="compass-table"><thead><tr><th>Notebook</th><th>Status</th><th>Time</th>'
        f"<th>Note</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    exports = '<p class="compass-note">Plans and exception lists for ERP and planners: <a href="exports/">exports/</a>.</p>'
    return _page(f"Compass pack {manifest['period']}", header + summary + needs + table + exports)


def root_index(root: Path, store: Path | None = None) -> str:
    """The root ``index.html``: every period's pack, newest first, and the periods the
    store holds without a pack (backfilled cycles; ``--packs all`` renders them)."""
    from compass_nb import store as cycle_store

    packs = {
        p.name: json.loads((p / "manifest.json").read_text())
        for p in root.iterdir()
        if p.is_dir() and PERIOD.match(p.name) and (p / "manifest.json").exists()
    }
    stored = cycle_store.runs(store or root / "compass.duckdb")
    store_only = sorted(set(stored["period"].astype(str)) - set(packs)) if len(stored) else []
    rows = []
    for period in sorted(set(packs) | set(store_only), reverse=True):
        if period not in packs:
            runs = stored.loc[stored["period"].astype(str) == period, "run_id"]
            rows.append(
                f"<tr><td>{_esc(period)}</td><td>store only (no pack rendered)</td>"
                f"<td>{_esc(int(runs.max()))}</td></tr>"
            )
            continue
        manifest = packs[period]
        statuses = [item["status"] for item in manifest["notebooks"].values()]
        ok = sum(status == "ok" for status in statuses)
        state = "ok" if ok == len(statuses) else "failed"
        rows.append(
            f'<tr><td><a href="{_esc(period)}/index.html">{_esc(period)}</a></td>'
            f'<td class="status-{state}">{ok} of {len(statuses)} completed</td>'
            f"<td>{_esc(manifest.get('run_id'))}</td></tr>"
        )
    body = (
        '<header class="compass-runheader"><h1>Compass — monthly packs</h1></header>'
        '<table class="compass-table"><thead><tr><th>Period</th><th>Notebooks</th><th>Run</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<p class="compass-note">Periods marked "store only" were backfilled for tracking '
        "history; <code>compass-nb run --backfill N --packs all</code> renders their packs.</p>"
    )
    return _page("Compass — monthly packs", body)


def write_json(path: Path, payload: dict) -> None:
    """Write ``payload`` as stable, sorted JSON (byte-identical for identical content)."""
    path.write_text(
        json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
