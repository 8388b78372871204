"""report.html: one self-contained page that works offline.

A Pareto chart of points lost by cause and cause × unit / cause × project heat maps, drawn as SVG
by the inline script from embedded JSON; tables that filter and sort. Every text from forms is
HTML-escaped; chart labels are set with textContent. A Content-Security-Policy allows nothing from
the network and only the page's own script (by hash), so even a missed escape could not run code.
The file contains no URL: the SVG namespace is read from an SVG element the parser created.
The charts are complete; each embedded table shows its first `LIMITS.html_rows` rows and the
per-unit plans stop at `LIMITS.html_plans`, with a visible note saying where the rest is, so that
the page still opens for a whole province.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .safe import html_text as esc
from .tables import (
    LIMITS,
    Limits,
    Table,
    build_tables,
    capped_join,
    fmt,
    full_place,
    full_where,
    head,
    heat,
    more_note,
    summary,
)

if TYPE_CHECKING:
    from ..advise_plan import Plan
    from ..analyze import AnalysisResult

_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",SimSun,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1f4e79;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}
nav{background:#fff;border-bottom:1px solid #ddd;padding:8px 24px;position:sticky;top:0;z-index:2}
nav a{margin-right:14px;color:#1f4e79;text-decoration:none}
main{padding:8px 24px 40px}section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:12px 16px;margin:14px 0}
h2{font-size:18px;margin:4px 0 10px;color:#1f4e79}h3{font-size:15px;margin:12px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #dde;border-radius:6px;padding:8px 12px;min-width:140px}
.card b{display:block;font-size:20px;color:#1f4e79}.card span{font-size:12px;color:#555}
.scroll{overflow:auto;max-height:560px}
table{border-collapse:collapse;font-size:13px;width:100%}th,td{border:1px solid #ddd;padding:4px 6px;vertical-align:top;white-space:pre-line}
th{background:#ddebf7;position:sticky;top:0;cursor:pointer}td.n{text-align:right;white-space:nowrap}
input.filter{margin:4px 0 8px;padding:4px 8px;width:320px;max-width:100%;border:1px solid #bbb;border-radius:4px}
.chart svg{max-width:100%;height:auto;font-size:12px}.yes{color:#c00;font-weight:bold}
details{border:1px solid #e3e3e3;border-radius:4px;margin:6px 0;padding:6px 10px}summary{cursor:pointer;font-weight:bold}
.muted{color:#777;font-size:12px}
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  function el(svg, name, attrs, text) {
    var node = document.createElementNS(svg.namespaceURI, name);
    for (var k in attrs) { node.setAttribute(k, attrs[k]); }
    if (text !== undefined) { node.textContent = text; }
    svg.appendChild(node);
    return node;
  }
  function short(s, n) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }
  function fmt(v) { return (Math.round(v * 100) / 100).toString(); }

  function pareto(svg, rows) {
    var W = 760, H = 400, L = 56, R = 56, T = 36, B = 110;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("width", W); svg.setAttribute("height", H);
    if (!rows.length) { el(svg, "text", {x: 20, y: 40}, "无扣分"); return 0; }
    var max = Math.max.apply(null, rows.map(function (r) { return r.points; })) || 1;
    var total = rows.reduce(function (a, r) { return a + r.points; }, 0) || 1;
    var pw = W - L - R, ph = H - T - B, step = pw / rows.length, bw = Math.min(60, step * 0.6);
    el(svg, "line", {x1: L, y1: T + ph, x2: L + pw, y2: T + ph, stroke: "#888"});
    el(svg, "line", {x1: L, y1: T, x2: L, y2: T + ph, stroke: "#888"});
    el(svg, "text", {x: 4, y: T - 16, fill: "#555"}, "归因扣分");
    el(svg, "text", {x: W - R - 10, y: T - 16, fill: "#ed7d31"}, "累计占比");
    for (var g = 0; g <= 4; g++) {
      var gy = T + ph - ph * g / 4;
      el(svg, "text", {x: L - 6, y: gy + 4, "text-anchor": "end", fill: "#555"}, fmt(max * g / 4));
      el(svg, "text", {x: L + pw + 6, y: gy + 4, fill: "#ed7d31"}, (25 * g) + "%");
      el(svg, "line", {x1: L, y1: gy, x2: L + pw, y2: gy, stroke: "#eee"});
    }
    var run = 0, pts = [];
    rows.forEach(function (r, i) {
      var x = L + step * i + (step - bw) / 2, h = ph * r.points / max;
      var bar = el(svg, "rect", {x: x, y: T + ph - h, width: bw, height: h, fill: "#4472c4", "class": "bar"});
      el(bar, "title", {}, r.label + "：归因扣分 " + fmt(r.points) + " 分，涉及 " + r.rows + " 条");
      el(svg, "text", {x: x + bw / 2, y: T + ph - h - 4, "text-anchor": "middle"}, fmt(r.points));
      var lx = x + bw / 2, ly = T + ph + 14;
      el(svg, "text", {x: lx, y: ly, "text-anchor": "end", transform: "rotate(-35 " + lx + " " + ly + ")"}, short(r.label, 12));
      run += r.points;
      pts.push([lx, T + ph - ph * run / total]);
    });
    el(svg, "polyline", {points: pts.map(function (p) { return p.join(","); }).join(" "), fill: "none", stroke: "#ed7d31", "stroke-width": 2, "class": "cumulative"});
    pts.forEach(function (p) { el(svg, "circle", {cx: p[0], cy: p[1], r: 3, fill: "#ed7d31"}); });
    return rows.length;
  }

  function heatmap(svg, m) {
    var cw = 120, ch = 26, L = 170, T = 90;
    var W = L + cw * m.cols.length + 10, H = T + ch * m.rows.length + 10;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("width", W); svg.setAttribute("height", H);
    if (!m.rows.length) { el(svg, "text", {x: 20, y: 40}, "无数据"); return 0; }
    var max = 0;
    m.values.forEach(function (row) { row.forEach(function (v) { max = Math.max(max, v); }); });
    m.cols.forEach(function (c, j) {
      var cx = L + cw * j + cw / 2, cy = T - 8;
      var t = el(svg, "text", {x: cx, y: cy, "text-anchor": "start", transform: "rotate(-25 " + cx + " " + cy + ")"}, short(c, 16));
      el(t, "title", {}, c);
    });
    var cells = 0;
    m.rows.forEach(function (r, i) {
      el(svg, "text", {x: L - 6, y: T + ch * i + ch / 2 + 4, "text-anchor": "end"}, short(r, 13));
      m.cols.forEach(function (c, j) {
        var v = m.values[i][j], a = max ? v / max : 0;
        var rect = el(svg, "rect", {x: L + cw * j, y: T + ch * i, width: cw - 2, height: ch - 2, "class": "cell",
          fill: v ? "rgba(192,0,0," + (0.15 + 0.85 * a).toFixed(3) + ")" : "#f2f2f2"});
        el(rect, "title", {}, r + " × " + c + "：" + fmt(v) + " 分");
        if (v) { el(svg, "text", {x: L + cw * j + cw / 2, y: T + ch * i + ch / 2 + 4, "text-anchor": "middle", fill: a > 0.5 ? "#fff" : "#222"}, fmt(v)); }
        cells++;
      });
    });
    return cells;
  }

  function draw(id, fn, arg) {
    var svg = document.querySelector("#" + id + " svg");
    svg.setAttribute("data-drawn", fn(svg, arg));
  }
  draw("pareto", pareto, data.pareto);
  draw("heat-unit", heatmap, data.heat_unit);
  draw("heat-project", heatmap, data.heat_project);

  Array.prototype.forEach.call(document.querySelectorAll("input.filter"), function (input) {
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      var box = document.getElementById(input.getAttribute("data-target"));
      Array.prototype.forEach.call(box.querySelectorAll("[data-item]"), function (row) {
        row.style.display = !q || row.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
      });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable th"), function (th, _) {
    th.addEventListener("click", function () {
      var table = th.closest("table"), body = table.tBodies[0], col = th.cellIndex;
      var num = th.getAttribute("data-kind") === "num";
      var dir = th.getAttribute("data-dir") === "asc" ? -1 : 1;
      th.setAttribute("data-dir", dir === 1 ? "asc" : "desc");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        return dir * (num ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "zh-CN"));
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  document.body.setAttribute("data-ready", "1");
})();
"""


def _json_script(payload: Any) -> str:
    """JSON that cannot close its <script> element or open a comment."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _table(table: Table, box_id: str, limit: int, lim: Limits = LIMITS) -> str:
    header = "".join(
        f'<th data-kind="{"num" if c.kind in ("num", "int") else "text"}">{esc(c.header)}</th>' for c in table.columns
    )
    rows = table.rows[:limit]
    hidden = table.size - len(rows)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="n">{esc(fmt(v))}</td>' if c.kind in ("num", "int") else f"<td>{esc(fmt(v))}</td>"
            for c, v in zip(table.columns, row, strict=True)
        )
        body.append(f"<tr data-item>{cells}</tr>")
    count = f"前{len(rows)}行，共{table.size}行" if hidden else f"{table.size}行"
    note = (f'<p class="muted more">仅显示前{len(rows)}行，'
            f"{esc(more_note(hidden, '行', full_place(table, lim)))}</p>") if hidden else ""
    return (
        f'<input class="filter" type="search" data-target="{box_id}" placeholder="输入关键字筛选（{count}）">'
        f'<div class="scroll" id="{box_id}"><table class="sortable"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{note}"
    )


def _list(title: str, items: Sequence[str], limit: int) -> str:
    shown, hidden = head(items, limit)
    lis = "".join(f"<li>{esc(t)}</li>" for t in shown) or "<li>（无）</li>"
    more = f'<p class="muted more">{esc(more_note(hidden, "条"))}</p>' if hidden else ""
    return f"<h3>{esc(title)}</h3><ol>{lis}</ol>{more}"


def _plan(p: Plan, lim: Limits) -> str:
    kind = "系统性原因" if p.scope == "cause" else "单位"
    return (
        f"<details data-item><summary>[{esc(kind)}] {esc(p.title)}</summary>"
        + _list("问题表现", p.problems, lim.items)
        + _list("原因分析", p.analysis, lim.items)
        + _list("改进措施（单位自述，已去重）", p.own_measures, lim.items)
        + _list("改进措施（标准措施）", p.standard_measures, lim.items)
        + f"<h3>责任单位</h3><p>{esc(capped_join(p.responsible, lim.items, '个单位'))}</p>"
        + "<h3>完成时限</h3><p>＿＿＿＿（由单位填写）</p>"
        + _list("应改善的指标", p.indicators, lim.items)
        + "</details>"
    )


def _plans(plans: list[Plan], lim: Limits) -> str:
    """Every systemic cause's plan, then the first `lim.html_plans` per-unit plans and a note."""
    units, hidden = head([p for p in plans if p.scope != "cause"], lim.html_plans)
    shown = [p for p in plans if p.scope == "cause"] + units
    where = full_where("改进计划", len(plans), lim)
    more = f'<p class="muted more">{esc(more_note(hidden, "个单位的改进计划", where))}</p>' if hidden else ""
    return "".join(_plan(p, lim) for p in shown) + more


def _chart_data(r: AnalysisResult) -> dict[str, Any]:
    def matrix(by: str) -> dict[str, Any]:
        rows, cols, values = heat(r, by)  # type: ignore[arg-type]
        return {"rows": rows, "cols": cols, "values": values}

    return {
        "pareto": [{"label": c.label, "points": c.attributed_cents / 100, "rows": c.rows} for c in r.points_by_cause],
        "heat_unit": matrix("unit"),
        "heat_project": matrix("project"),
    }


def render_html(r: AnalysisResult, lim: Limits = LIMITS) -> str:
    t = build_tables(r, lim.html_rows, ("forms", "systemic", "causes", "links", "targets", "checks"))
    cards = "".join(f'<div class="card"><b>{esc(fmt(v))}</b><span>{esc(k)}</span></div>' for k, v in summary(r))
    systemic = [s for s in r.systemic if s.systemic]
    sys_items = "".join(
        f"<details data-item open><summary>第{s.rank}位 {esc(s.label)}：{len(s.units)}个单位、{len(s.projects)}个项目，"
        f"归因扣分{esc(fmt(s.points_attributed))}分</summary><p>项目：{esc(capped_join(s.projects, lim.items))}；"
        f"指标类型：{esc('、'.join(s.kinds))}</p>{_list('原文', s.quotes, lim.items)}"
        f"{_list('校验信号', [x.message for x in s.signals], lim.items) if s.signals else ''}</details>"
        for s in systemic
    ) or "<p>未发现达到阈值的系统性问题。</p>"
    signals = [x.message for e in r.systemic for x in e.signals]
    if signals:
        sys_items += _list("校验信号：文本未说明的可能原因", signals, lim.html_rows)
    sections = [
        ("overview", "概览", f'<div class="cards">{cards}</div><h3>各自评表</h3>{_table(t["forms"], "tbl-forms", lim.html_rows, lim)}'),
        ("charts", "图表",
         '<h3>按原因的扣分（帕累托图）</h3><div class="chart" id="pareto"><svg role="img" aria-label="帕累托图"></svg></div>'
         '<h3>原因 × 单位（归因扣分）</h3><div class="chart" id="heat-unit"><svg role="img" aria-label="原因×单位热力图"></svg></div>'
         '<h3>原因 × 项目（归因扣分）</h3><div class="chart" id="heat-project"><svg role="img" aria-label="原因×项目热力图"></svg></div>'),
        ("systemic", "系统性问题", f'<div id="sys-list">{sys_items}</div><h3>全部原因排名</h3>{_table(t["systemic"], "tbl-systemic", lim.html_rows, lim)}'),
        ("causes", "原因聚类", _table(t["causes"], "tbl-causes", lim.html_rows, lim)),
        ("links", "指标明细", _table(t["links"], "tbl-links", lim.html_rows, lim)),
        ("plans", "改进计划",
         '<input class="filter" type="search" data-target="plan-list" placeholder="输入关键字筛选改进计划">'
         f'<div id="plan-list">{_plans(r.plans, lim)}</div>'),
        ("targets", "下年度目标建议", '<p class="muted">建议仅供参考，由用户决定；可编辑版本见 report.xlsx。</p>'
         + _table(t["targets"], "tbl-targets", lim.html_rows, lim)),
        ("checks", "校验问题", _table(t["checks"], "tbl-checks", lim.html_rows, lim)),
    ]
    nav = "".join(f'<a href="#{sid}">{esc(title)}</a>' for sid, title, _ in sections)
    body = "".join(f'<section id="{sid}"><h2>{esc(title)}</h2>{content}</section>' for sid, title, content in sections)
    digest = base64.b64encode(hashlib.sha256(_JS.encode("utf-8")).digest()).decode("ascii")
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>绩效自评偏差原因分析报告</title><style>{_CSS}</style></head><body>"
        "<header><h1>绩效自评偏差原因分析报告</h1></header>"
        f"<nav>{nav}</nav><main>{body}</main>"
        f'<script type="application/json" id="chart-data">{_json_script(_chart_data(r))}</script>'
        f"<script>{_JS}</script></body></html>\n"
    )


def write_html(result: AnalysisResult, path: Path, limits: Limits = LIMITS) -> None:
    path.write_text(render_html(result, limits), encoding="utf-8")

