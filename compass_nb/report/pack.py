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


def period_index(manifest: dict, metrics: dict) -> str:
    """The period's ``index.html``: status of every notebook, headline figures, links."""
    statuses = manifest["notebooks"]
    failed = [name for name, item in statuses.items() if item["status"] != "ok"]
    verdict = f"{len(statuses) - len(failed)} of {len(statuses)} notebooks completed" + (
        f"; not completed: {', '.join(failed)}." if failed else "."
    )
    header = (
        f'<header class="compass-runheader"><p class="compass-note"><a href="../index.html">← all periods</a></p>'
        f"<h1>Compass pack — {_esc(manifest['period'])}</h1><dl>"
        f"<dt>Period</dt><dd>{_esc(manifest['period'])}</dd>"
        f"<dt>Run</dt><dd>{_esc(manifest['run_id'])}</dd>"
        f"<dt>Data fingerprint</dt><dd>{_esc(manifest['fingerprint'])}</dd>"
        f"<dt>Source</dt><dd>{_esc(manifest['parameters'].get('source'))}</dd>"
        f"<dt>Compass version</dt><dd>{_esc(manifest['versions'].get('compass_nb'))}</dd>"
        "</dl></header>"
    )
    summary = f'<div class="compass-summary"><strong>Summary</strong><ul><li>{_esc(verdict)}</li></ul></div>'
    rows = []
    for name, item in statuses.items():
        figures = metrics.get(name, {})
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
        '<table class="compass-table"><thead><tr><th>Notebook</th><th>Status</th><th>Time</th>'
        f"<th>Note</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    exports = '<p class="compass-note">Plans and exception lists for ERP and planners: <a href="exports/">exports/</a>.</p>'
    return _page(f"Compass pack {manifest['period']}", header + summary + table + exports)


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
