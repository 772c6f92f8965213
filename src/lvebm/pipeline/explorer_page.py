"""The explorer: one self-contained HTML page (inline script and style, no network) with sliders.

Plain SVG drawn by a hundred lines of inline JavaScript, not a plotting library: the page has five
small line, bar and heat-map panels whose data are precomputed (``lvebm.explorer``), so a library
would add a megabyte of script to the report and a pinned dependency to the lock for nothing the
page needs; plain SVG also keeps every drawn element inspectable by the browser tests (each
curve is a ``path`` with a stable id).

>>> page = explorer_html({"betas": [1.0]}, title="t")
>>> page.startswith("<!DOCTYPE html>") and not any(t in page for t in ("src=", "<link", "url("))
True
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping

import numpy as np

DIGITS = 4  # significant digits of the numbers drawn (the artifacts hold the exact ones)


def _compact(value):
    """Arrays and numbers with DIGITS significant digits, for a page of reasonable size."""
    if isinstance(value, Mapping):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_compact(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, float):
        return float(f"{value:.{DIGITS}g}")
    return value


def packed(values) -> dict:
    """Non-negative numbers as little-endian uint16 steps of ``scale`` (their largest / 65535),
    base64: 2.7 characters a number instead of about 8 in JSON (the page's script unpacks)."""
    values = np.asarray(values, dtype=float)
    scale = float(values.max()) / 65535 or 1.0
    steps = np.round(values / scale).astype("<u2")
    return {"scale": scale, "data": base64.b64encode(steps.tobytes()).decode("ascii")}


def levels(values, vmax: float) -> dict:
    """Non-negative numbers as the heat map colours them: 8-bit levels of [0, vmax] (above vmax
    saturated), base64: 1.3 characters a value (the page's script unpacks).

    >>> levels([0.0, 1.0, 5.0], 2.0)
    {'vmax': 2.0, 'data': 'AID/'}
    """
    values = np.clip(np.asarray(values, dtype=float) / vmax, 0.0, 1.0)
    steps = np.round(values * 255).astype(np.uint8)
    return {"vmax": float(vmax), "data": base64.b64encode(steps.tobytes()).decode("ascii")}


def explorer_data(line, weights, decoders, temperature, samples, *, decoder, vmax) -> dict:
    """The page's data (JSON-ready) from the explorer's tables, the temperature scan (betas and
    trained radii) and the samples; ``decoder`` is the run's (w1, w2), where the w sliders
    start."""
    betas = np.asarray(temperature["beta"], dtype=float)
    nb = betas.size
    m = line["F"].size // nb
    along = max(("y1", "y2"), key=lambda a: np.ptp(line[a][:m]))
    points = list(dict.fromkeys(weights["point"]))
    n = weights["z"].size // (nb * len(points))
    radii = np.unique(decoders["w1"])
    on_line = np.asarray(decoders["on_line"], dtype=bool)
    per = on_line.size // (radii.size**2)
    F = np.asarray(decoders["F"], dtype=float).reshape(radii.size, radii.size, per)
    first = on_line[:per]
    mesh_y1, mesh_y2 = decoders["y1"][:per][~first], decoders["y2"][:per][~first]
    return _compact(
        {
            "betas": betas,
            "line": {
                "axis": along,
                "fixed": "y1" if along == "y2" else "y2",
                "fixed_value": float(line["y1" if along == "y2" else "y2"][0]),
                "t": line[along][:m],
                "F": np.asarray(line["F"], dtype=float).reshape(nb, m),
                "F_inf": line["F_inf"][:m],
            },
            "points": points,
            "z": weights["z"][:n],
            "weights": np.asarray(weights["weight"], dtype=float).reshape(nb, len(points), n),
            "radii": {
                "w1": np.abs(temperature["w1"]),
                "w2": np.abs(temperature["w2"]),
                "critical": [
                    float(temperature["critical_w1"][0]),
                    float(temperature["critical_w2"][0]),
                ],
            },
            "samples": {"y1": samples["y1"], "y2": samples["y2"]},
            "w": radii,
            "start": [int(np.argmin(np.abs(radii - abs(w)))) for w in decoder],
            "mesh": {"y1": np.unique(mesh_y1), "y2": np.unique(mesh_y2)},
            "F_mesh": levels(F[:, :, ~first], vmax),
            "F_line": packed(F[:, :, first]),
            "n_mesh": int((~first).sum()),
            "n_line": int(first.sum()),
            "vmax": vmax,
        }
    )


STYLE = """
body{font-family:"DejaVu Sans",sans-serif;margin:12px;color:#ddd;background:#000}
h2{font-size:17px;margin:4px 0}h3{font-size:14px;margin:10px 0 2px}
.panels{display:flex;flex-wrap:wrap;gap:14px}.panel{border:1px solid #444;padding:6px}
.controls{margin:6px 0;font-size:13px}.controls label{margin-right:14px}
input[type=range]{width:260px;vertical-align:middle;accent-color:#5fa2dd}svg{display:block}
select{background:#222;color:#ddd;border:1px solid #555}
svg text{fill:#ddd}.note{font-size:12px;color:#aaa;max-width:900px}
"""

SCRIPT = r"""
const D = JSON.parse(document.getElementById("data").textContent);
const W = 430, H = 250, M = {l: 48, r: 12, t: 20, b: 34};
const NS = "http://www.w3.org/2000/svg";
// the figures' colours (lvebm.plotstyle) and the heat map's (viridis)
const C = {beta: "#5fa2dd", inf: "#9a9a9a", weights: "#fa8072", w1: "#5fa2dd", w2: "#fdb462",
           now: "#55a868", manifold: "#bc82bd", samples: "#8dd3c7", grid: "#444"};
const VIRIDIS = ["#440154","#472d7b","#3b528b","#2c728e","#21918c","#28ae80","#5ec962",
                 "#addc30","#fde725"];
function el(parent, tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) math(e, String(text));
  parent.appendChild(e); return e;
}
// text with the figures' notation: "F_β", "|w_1|", "p_k": a subscript after "_" (one character,
// or {several}), in a tspan
function math(e, text) {
  const parts = text.split(/_(\{[^}]*\}|.)/);
  parts.forEach((part, k) => {
    if (!part) return;
    if (k % 2 === 0) { e.appendChild(document.createTextNode(part)); return; }
    const sub = document.createElementNS(NS, "tspan");
    sub.setAttribute("baseline-shift", "sub"); sub.setAttribute("font-size", "75%");
    sub.textContent = part.replace(/^\{|\}$/g, ""); e.appendChild(sub);
  });
}
function ticks(lo, hi, log) {
  if (log) { const out = []; for (let e = Math.ceil(Math.log10(lo)); e <= Math.log10(hi); e++)
    out.push(10 ** e); return out; }
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 4 || 1));
  const k = [1, 2, 5, 10].find(k => (hi - lo) / (k * step) <= 6) * step;
  const out = [];
  for (let v = Math.ceil(lo / k) * k; v <= hi + 1e-12; v += k) out.push(+v.toFixed(10));
  return out;
}
// a fresh frame in the svg: scales for the x and y ranges, a dashed grid, the axes, the labels
function frame(id, xr, yr, xlabel, ylabel, opts = {}) {
  const svg = document.getElementById(id); svg.innerHTML = "";
  svg.setAttribute("width", W); svg.setAttribute("height", H);
  const lx = v => opts.logx ? Math.log10(v) : v;
  const sx = v => M.l + (lx(v) - lx(xr[0])) / (lx(xr[1]) - lx(xr[0])) * (W - M.l - M.r);
  const sy = v => H - M.b - (v - yr[0]) / (yr[1] - yr[0]) * (H - M.t - M.b);
  for (const v of ticks(xr[0], xr[1], opts.logx)) {
    if (!opts.nogrid) el(svg, "line", {x1: sx(v), x2: sx(v), y1: M.t, y2: H - M.b,
                                        stroke: C.grid, "stroke-dasharray": "3,3"});
    el(svg, "line", {x1: sx(v), x2: sx(v), y1: H - M.b, y2: H - M.b + 4, stroke: "#aaa"});
    el(svg, "text", {x: sx(v), y: H - M.b + 15, "font-size": 10, "text-anchor": "middle"}, v);
  }
  for (const v of ticks(yr[0], yr[1])) {
    if (!opts.nogrid) el(svg, "line", {x1: M.l, x2: W - M.r, y1: sy(v), y2: sy(v),
                                        stroke: C.grid, "stroke-dasharray": "3,3"});
    el(svg, "line", {x1: M.l - 4, x2: M.l, y1: sy(v), y2: sy(v), stroke: "#aaa"});
    el(svg, "text", {x: M.l - 6, y: sy(v) + 3, "font-size": 10, "text-anchor": "end"}, v);
  }
  el(svg, "rect", {x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b,
                   fill: "none", stroke: "#aaa"});
  el(svg, "text", {x: (W + M.l) / 2, y: H - 4, "font-size": 11, "text-anchor": "middle"}, xlabel);
  el(svg, "text", {x: 12, y: (H - M.b + M.t) / 2, "font-size": 11, "text-anchor": "middle",
                   transform: `rotate(-90 12 ${(H - M.b + M.t) / 2})`}, ylabel);
  if (opts.title) el(svg, "text", {x: M.l, y: 13, "font-size": 11}, opts.title);
  return {svg, sx, sy};
}
function curve(f, xs, ys, id, colour, dash) {
  const d = xs.map((x, i) => `${i ? "L" : "M"}${f.sx(x).toFixed(2)},${f.sy(ys[i]).toFixed(2)}`);
  return el(f.svg, "path", {id, d: d.join(""), fill: "none", stroke: colour, "stroke-width": 2,
                            "stroke-dasharray": dash || ""});
}
// a legend in the frame's top right corner: [label, colour, "line" | "dashed" | "dot" | "bar"]
function legend(f, items, corner = "right") {
  const g = el(f.svg, "g", {class: "legend"}), w = 118, h = 14 * items.length + 6;
  const x0 = corner === "right" ? W - M.r - w - 4 : M.l + 4, y0 = M.t + 4;
  el(g, "rect", {x: x0, y: y0, width: w, height: h, fill: "#000", "fill-opacity": 0.6,
                 stroke: "#555"});
  items.forEach(([label, colour, kind], k) => {
    const y = y0 + 12 + 14 * k;
    if (kind === "dot") el(g, "circle", {cx: x0 + 14, cy: y - 3, r: 3, fill: colour});
    else if (kind === "bar")
      el(g, "rect", {x: x0 + 8, y: y - 8, width: 12, height: 9, fill: colour});
    else el(g, "line", {x1: x0 + 5, x2: x0 + 23, y1: y - 3, y2: y - 3, stroke: colour,
                        "stroke-width": 2, "stroke-dasharray": kind === "dashed" ? "5,3" : ""});
    el(g, "text", {x: x0 + 28, y, "font-size": 10}, label);
  });
}
function range(arrays) {
  const all = arrays.flat(Infinity); return [Math.min(...all), Math.max(...all)];
}
function hex(c) { return [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16)); }
const STOPS = VIRIDIS.map(hex);
// viridis, interpolated between its stops, of a level t in [0, 1]
function colour(t) {
  const x = Math.max(0, Math.min(1, t)) * (STOPS.length - 1), i = Math.min(Math.floor(x), 7);
  const a = STOPS[i], b = STOPS[i + 1], u = x - i;
  return `rgb(${a.map((v, k) => Math.round(v + (b[k] - v) * u)).join(",")})`;
}
// a packed array (explorer_page.packed): the numbers, in the order they were packed
function unpack(p) {
  const bin = atob(p.data), out = new Float64Array(bin.length / 2);
  for (let i = 0; i < out.length; i++)
    out[i] = (bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8)) * p.scale;
  return out;
}
// 8-bit levels (explorer_page.levels), as levels in [0, 1] of [0, vmax]
function unlevel(p) {
  const bin = atob(p.data), out = new Float32Array(bin.length);
  for (let i = 0; i < out.length; i++) out[i] = bin.charCodeAt(i) / 255;
  return out;
}
const F_MESH = unlevel(D.F_mesh), F_LINE = unpack(D.F_line), NW = D.w.length;
// F_inf of decoder (w[i], w[j]) on the mesh (levels) or along the line
function part(all, n, i, j) { return all.subarray((i * NW + j) * n, (i * NW + j + 1) * n); }
function meshF(i, j) { return part(F_MESH, D.n_mesh, i, j); }
function lineF(i, j) { return Array.from(part(F_LINE, D.n_line, i, j)); }
function fmt(v) { return v === Infinity ? "∞" : (+v).toPrecision(3); }

const L = D.line, lineRange = range([L.F, L.F_inf]);
const LINE_X = [L.t[0], L.t[L.t.length - 1]];
const sub = a => a.replace("y", "y_");  // "y1" -> "y_1": a subscript
const LINE_LABEL = `${sub(L.axis)} (${sub(L.fixed)} = ${L.fixed_value})`;
function drawBeta() {
  const b = +document.getElementById("beta").value, beta = D.betas[b];
  document.getElementById("beta-value").textContent = fmt(beta);
  const p = +document.getElementById("point").value;
  let f = frame("cross", LINE_X, lineRange, LINE_LABEL, "free energy",
                {title: `Along the line, β = ${fmt(beta)}`});
  curve(f, L.t, L.F_inf, "cross-inf", C.inf, "5,4");
  curve(f, L.t, L.F[b], "cross-beta", C.beta);
  legend(f, [["F_β", C.beta, "line"], ["F_∞", C.inf, "dashed"]], "left");
  const w = D.weights[b][p];
  f = frame("weights", [0, 2 * Math.PI], [0, Math.max(...w) * 1.1 || 1], "z", "p_k",
            {title: `soft-argmin weights of ${D.points[p]} over ${D.z.length} latents`});
  const bw = (f.sx(D.z[1]) - f.sx(D.z[0])) * 0.8;
  const g = el(f.svg, "g", {id: "weights-bars"});
  D.z.forEach((z, k) => el(g, "rect", {x: f.sx(z) - bw / 2, y: f.sy(w[k]), width: bw,
                                       height: f.sy(0) - f.sy(w[k]), fill: C.weights}));
  legend(f, [["p_k ∝ exp(-β E_k)", C.weights, "bar"]]);
  const R = D.radii;
  f = frame("radii", [D.betas[0], D.betas[D.betas.length - 1]], [0, range([R.w1, R.w2])[1] * 1.1],
            "β (log)", "trained radius", {logx: true,
            title: `trained |w_1| = ${fmt(R.w1[b])}, |w_2| = ${fmt(R.w2[b])}`});
  curve(f, D.betas, R.w1, "radii-w1", C.w1); curve(f, D.betas, R.w2, "radii-w2", C.w2);
  R.critical.forEach(c => el(f.svg, "line", {x1: f.sx(c), x2: f.sx(c), y1: M.t, y2: H - M.b,
                                             stroke: C.inf, "stroke-dasharray": "3,3"}));
  el(f.svg, "line", {id: "radii-beta", x1: f.sx(beta), x2: f.sx(beta), y1: M.t, y2: H - M.b,
                     stroke: C.now, "stroke-width": 2});
  legend(f, [["|w_1|", C.w1, "line"], ["|w_2|", C.w2, "line"], ["critical β", C.inf, "dashed"],
             ["this β", C.now, "line"]], "left");
}
const lineW = [0, F_LINE.reduce((a, b) => Math.max(a, b), 0)];
function drawDecoder() {
  const i = +document.getElementById("w1").value, j = +document.getElementById("w2").value;
  const w1 = D.w[i], w2 = D.w[j];
  document.getElementById("w1-value").textContent = fmt(w1);
  document.getElementById("w2-value").textContent = fmt(w2);
  let f = frame("line", LINE_X, lineW, LINE_LABEL, "F_∞",
                {title: `Along the line, decoder (${fmt(w1)}, ${fmt(w2)})`});
  curve(f, L.t, lineF(i, j), "line-F", C.beta);
  legend(f, [["F_∞(y)", C.beta, "line"]]);
  const y1 = D.mesh.y1, y2 = D.mesh.y2, pad = 0.5 * (y1[1] - y1[0]);
  const xr = [y1[0] - pad, y1[y1.length - 1] + pad], yr = [y2[0] - pad, y2[y2.length - 1] + pad];
  f = frame("mesh", xr, yr, "y_1", "y_2",
            {nogrid: true,
             title: `F_∞ on ${y1.length} × ${y2.length} points, colour 0 to ${D.vmax}`});
  const g = el(f.svg, "g", {id: "mesh-cells"});
  const cw = f.sx(y1[1]) - f.sx(y1[0]), ch = f.sy(y2[0]) - f.sy(y2[1]), F = meshF(i, j);
  let k = 0;
  for (const a of y1) for (const b of y2) {   // the mesh's points, y1-major
    el(g, "rect", {x: f.sx(a) - cw / 2, y: f.sy(b) - ch / 2, width: cw + 0.5, height: ch + 0.5,
                   fill: colour(F[k++])});
  }
  const zs = Array.from({length: 121}, (_, k) => 2 * Math.PI * k / 120);
  curve(f, zs.map(z => w1 * Math.cos(z)), zs.map(z => w2 * Math.sin(z)), "mesh-ellipse", "#fff");
  D.samples.y1.forEach((a, k) => el(f.svg, "circle", {cx: f.sx(a), cy: f.sy(D.samples.y2[k]),
                                                     r: 2.5, fill: C.samples, stroke: "#000"}));
  legend(f, [["decoder g(z)", "#fff", "line"], ["samples y⁽ⁱ⁾", C.samples, "dot"]]);
}
function setup() {
  const beta = document.getElementById("beta");
  beta.max = D.betas.length - 1;
  beta.value = D.betas.findIndex(b => b >= 1) >= 0 ? D.betas.findIndex(b => b >= 1) : 0;
  const point = document.getElementById("point");
  D.points.forEach((name, k) => point.add(new Option(name, k)));
  for (const [id, start] of [["w1", D.start[0]], ["w2", D.start[1]]]) {
    const s = document.getElementById(id); s.max = D.w.length - 1; s.value = start;
    s.addEventListener("input", drawDecoder);
  }
  beta.addEventListener("input", drawBeta); point.addEventListener("change", drawBeta);
  drawBeta(); drawDecoder();
}
setup();
"""

BODY = """
<h2>{title}</h2>
<p class="note">Every value is precomputed by the pipeline (rule explorer_data) and embedded in this
page; nothing is loaded from anywhere. Move a slider to redraw its panels.</p>
<div class="panels">
 <div class="panel"><h3>Temperature</h3>
  <div class="controls"><label>β <input type="range" id="beta" min="0" step="1"></label>
   <b id="beta-value"></b>
   <label>point <select id="point"></select></label></div>
  <svg id="cross"></svg><svg id="weights"></svg><svg id="radii"></svg>
 </div>
 <div class="panel"><h3>Decoder</h3>
  <div class="controls"><label>|w<sub>1</sub>| <input type="range" id="w1" min="0" step="1">
   </label><b id="w1-value"></b>
   <label>|w<sub>2</sub>| <input type="range" id="w2" min="0" step="1"></label>
   <b id="w2-value"></b></div>
  <svg id="line"></svg><svg id="mesh"></svg>
 </div>
</div>
"""


def explorer_html(data: Mapping, *, title: str) -> str:
    """The page: ``data`` (:func:`explorer_data`) embedded as JSON, the script inline."""
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>{BODY.format(title=html.escape(title))}"
        f'<script type="application/json" id="data">{payload}</script>'
        f"<script>{SCRIPT}</script></body></html>\n"
    )
