"""Write ``report.html``: one self-contained page that opens offline.

plotly.js is inlined once (no CDN); every figure is JSON drawn by ``Plotly.newPlot``;
PNGs are inlined as ``data:`` URIs; the municipal outlines, needed by the two map
layers, are inlined once and shared. No base map and no tiles: nothing is fetched.
The file is written through a temporary name and renamed, so a failed write leaves
the previous report (or none).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import os
from pathlib import Path
from typing import Any

import plotly.io as pio
from plotly.offline import get_plotlyjs, get_plotlyjs_version

from plazasim.errors import PlazasimError
from plazasim.report.sections import Section, folder_kind, sections

__all__ = ["REPORT_NAME", "build_report", "write_report"]

REPORT_NAME = "report.html"
#: Placeholder for a shared GeoJSON object in the figures' JSON.
_GEO_TOKEN = "__plazasim_geojson__"
#: Plot options: no plotly logo, responsive width, PNG export at twice the resolution.
_CONFIG = {
    "responsive": True,
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto;
       max-width: 1280px; padding: 0 18px 40px; color: #222; }
h1 { font-size: 1.5em; margin: 18px 0 4px; }
h2 { font-size: 1.2em; margin: 28px 0 4px; border-bottom: 1px solid #ddd; }
p.meta, p.intro { color: #444; margin: 4px 0 8px; }
nav a { margin-right: 14px; }
img.figure { max-width: 100%; }
table.data { border-collapse: collapse; font-size: 0.85em; }
table.data th, table.data td { padding: 3px 8px; border-bottom: 1px solid #eee;
                               text-align: left; vertical-align: top; }
"""


def _figure_json(fig: Any, geo: dict[str, Any]) -> str:
    """The figure as JSON, its GeoJSON replaced by a token (stored once in ``geo``)."""
    data = json.loads(pio.to_json(fig, validate=False))
    for trace in data.get("data", []):
        if isinstance(trace.get("geojson"), dict):
            key = json.dumps(trace["geojson"], sort_keys=True, separators=(",", ":"))
            geo.setdefault(key, len(geo))
            trace["geojson"] = f"{_GEO_TOKEN}{geo[key]}"
    return _script_safe(json.dumps(data, separators=(",", ":")))


def _script_safe(text: str) -> str:
    """JSON that cannot close its ``<script>`` element early."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _section_html(i: int, section: Section, geo: dict[str, Any]) -> str:
    parts = [
        f'<h2 id="s{i}">{html.escape(section.title)}</h2>',
        f'<p class="intro">{section.intro}</p>',
    ]
    if section.figure is not None:
        payload = _figure_json(section.figure, geo)
        parts.append(f'<div id="fig{i}" class="plot"></div>')
        parts.append(f"<script>plazasimPlot('fig{i}', {payload});</script>")
    if section.png is not None:
        b64 = base64.b64encode(section.png).decode("ascii")
        parts.append(
            f'<img class="figure" alt="{html.escape(section.title)}" '
            f'src="data:image/png;base64,{b64}">'
        )
    if section.table is not None:
        parts.append(section.table)
    return "\n".join(parts)


def _title(folder: Path, kind: str) -> str:
    manifest = folder / ("sweep.json" if kind == "sweep" else "manifest.json")
    line = ""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        line = (data.get("invocation") or {}).get("line", "")
    except (OSError, ValueError):
        pass
    return line


def build_report(folder: str | os.PathLike[str], every: str = "month") -> str:
    """Return the report page of a results ``folder`` as one HTML string."""
    folder = Path(folder)
    kind = folder_kind(folder)
    parts = sections(folder, kind, every)
    geo: dict[str, Any] = {}
    body = "\n".join(_section_html(i, s, geo) for i, s in enumerate(parts))
    geo_js = ",".join(_script_safe(k) for k in sorted(geo, key=lambda k: geo[k]))
    nav = " ".join(f'<a href="#s{i}">{html.escape(s.title)}</a>' for i, s in enumerate(parts))
    line = _title(folder, kind)
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    from plazasim import __version__

    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>plazasim report: {html.escape(folder.name)}</title>
<style>{_CSS}</style>
<script>{get_plotlyjs()}</script>
<script>
var PLAZASIM_GEO = [{geo_js}];
function plazasimPlot(id, fig) {{
  (fig.data || []).forEach(function (t) {{
    if (typeof t.geojson === "string" && t.geojson.indexOf("{_GEO_TOKEN}") === 0) {{
      t.geojson = PLAZASIM_GEO[parseInt(t.geojson.slice({len(_GEO_TOKEN)}), 10)];
    }}
  }});
  Plotly.newPlot(id, fig.data, fig.layout, {json.dumps(_CONFIG)}).then(function (gd) {{
    if (fig.frames && fig.frames.length) {{ return Plotly.addFrames(gd, fig.frames); }}
  }});
}}
</script>
</head><body>
<h1>plazasim report: {html.escape(folder.name)} ({kind})</h1>
<p class="meta">{html.escape(line) if line else ""}{"<br>" if line else ""}
plazasim {html.escape(__version__)}, plotly.js {html.escape(get_plotlyjs_version())} inlined;
written {made}. Works offline.</p>
<nav>{nav}</nav>
{body}
</body></html>
"""


def write_report(
    folder: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, every: str = "month"
) -> Path:
    """Write the report of ``folder`` to ``out`` (default ``folder/report.html``) atomically."""
    folder = Path(folder)
    text = build_report(folder, every)
    path = Path(out) if out is not None else folder / REPORT_NAME
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise PlazasimError(f"out: could not write {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path
