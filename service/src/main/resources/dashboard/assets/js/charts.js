// Hand-written SVG charts: line charts (linear or logarithmic y), a histogram with a vertical bound,
// and a heatmap with its colour bar. Every chart is redrawn from data into its container at the
// container's current size; every axis has a title with its unit. Text is set with textContent only.

import { tick as tickLabel, measure } from './format.js';

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and optional text. */
export function svgEl(tag, attrs = {}, text = null) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  }
  if (text !== null) e.textContent = text;
  return e;
}

function frame(container, label) {
  const w = Math.max(220, Math.floor(container.clientWidth));
  const h = Math.max(120, Math.floor(container.clientHeight || 150));
  const svg = svgEl('svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': label });
  return { svg, w, h };
}

/** Round ticks covering [lo, hi]: {ticks, step, hi} with hi raised to the last tick. */
export function niceTicks(lo, hi, count = 4, integer = false) {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  let step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
  if (integer) step = Math.max(1, Math.ceil(step));
  const first = Math.ceil(lo / step - 1e-9) * step;
  const top = Math.ceil(hi / step - 1e-9) * step;
  const ticks = [];
  for (let v = first; v <= top + step * 1e-6; v += step) ticks.push(Number(v.toPrecision(12)));
  return { ticks, step, hi: Math.max(top, hi) };
}

/** Powers of ten (and 2x, 5x when the range is short) covering [lo, hi], lo > 0. */
export function logTicks(lo, hi) {
  const a = Math.floor(Math.log10(lo));
  const b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
  const ticks = [];
  for (let e = a; e <= b; e++) {
    ticks.push(10 ** e);
    if (b - a <= 2 && e < b) ticks.push(2 * 10 ** e, 5 * 10 ** e);
  }
  return { ticks: ticks.map((t) => Number(t.toPrecision(6))), lo: 10 ** a, hi: 10 ** b };
}

function axisTitles(svg, w, h, m, xTitle, yTitle) {
  svg.append(svgEl('text', { class: 'axis-title', x: m.l + (w - m.l - m.r) / 2, y: h - 3, 'text-anchor': 'middle' }, xTitle));
  const cy = m.t + (h - m.t - m.b) / 2;
  svg.append(svgEl('text', { class: 'axis-title', x: 11, y: cy, 'text-anchor': 'middle', transform: `rotate(-90 11 ${cy})` }, yTitle));
}

function yAxis(svg, m, w, ticks, sy, format) {
  const g = svgEl('g', { class: 'axis' });
  for (const t of ticks) {
    const y = sy(t);
    svg.append(svgEl('line', { class: 'gridline', x1: m.l, x2: w - m.r, y1: y, y2: y }));
    g.append(svgEl('text', { x: m.l - 6, y: y + 3.5, 'text-anchor': 'end' }, format(t)));
  }
  return g;
}

function xAxis(m, h, w, ticks, sx) {
  const g = svgEl('g', { class: 'axis' });
  const y0 = h - m.b;
  g.append(svgEl('line', { x1: m.l, x2: w - m.r, y1: y0, y2: y0 }));
  g.append(svgEl('line', { x1: m.l, x2: m.l, y1: m.t, y2: y0 }));
  for (const t of ticks) {
    const x = sx(t.v);
    g.append(svgEl('line', { x1: x, x2: x, y1: y0, y2: y0 + 4 }));
    g.append(svgEl('text', { x, y: y0 + 15, 'text-anchor': 'middle' }, t.label));
  }
  return g;
}

/**
 * A line chart.
 * spec: {label, x: {min, max, ticks: [{v, label}], title}, y: {title, log, min, atLeast, format},
 *        series: [{cls, dashed, points: [[x, y|null], ...]}], bands: [{cls, points: [[x, lo|null, hi|null], ...]}],
 *        refs: [{y, label}], empty}
 * A band is a shaded area between two values (e.g. the median and the 95th percentile); it breaks where a value is missing.
 */
export function lineChart(container, spec) {
  const { svg, w, h } = frame(container, spec.label);
  const m = { l: 58, r: 14, t: 10, b: 34 };
  const x0 = spec.x.min;
  const x1 = spec.x.max > spec.x.min ? spec.x.max : spec.x.min + 1;
  const values = [];
  for (const s of spec.series) {
    for (const [x, y] of s.points) {
      if (y !== null && Number.isFinite(y) && x >= x0 && x <= x1 && (!spec.y.log || y > 0)) values.push(y);
    }
  }
  for (const r of spec.refs || []) if (Number.isFinite(r.y)) values.push(r.y);
  for (const b of spec.bands || []) {
    for (const [x, lo, hi] of b.points) {
      for (const y of [lo, hi]) if (y !== null && Number.isFinite(y) && x >= x0 && x <= x1 && (!spec.y.log || y > 0)) values.push(y);
    }
  }
  const format = spec.y.format || tickLabel;
  let sy;
  let ticks;
  const ph = h - m.t - m.b;
  if (spec.y.log) {
    const lo = values.length ? Math.min(...values) : 0.1;
    const hi = values.length ? Math.max(...values) : 10;
    const lt = logTicks(lo, hi);
    ticks = lt.ticks;
    const a = Math.log10(lt.lo);
    const b = Math.log10(lt.hi);
    sy = (y) => m.t + ph - ((Math.log10(y) - a) / (b - a)) * ph;
  } else {
    const lo = spec.y.min ?? 0;
    const hi = Math.max(values.length ? Math.max(...values) : 0, spec.y.atLeast ?? 1e-12, lo + 1e-12);
    const nt = niceTicks(lo, hi, 4, spec.y.integer);
    ticks = nt.ticks;
    sy = (y) => m.t + ph - ((y - lo) / (nt.hi - lo)) * ph;
  }
  const sx = (x) => m.l + ((x - x0) / (x1 - x0)) * (w - m.l - m.r);
  svg.append(yAxis(svg, m, w, ticks, sy, format));
  svg.append(xAxis(m, h, w, spec.x.ticks.filter((t) => t.v >= x0 && t.v <= x1), sx));
  axisTitles(svg, w, h, m, spec.x.title, spec.y.title);
  for (const r of spec.refs || []) {
    if (!Number.isFinite(r.y)) continue;
    const y = sy(r.y);
    svg.append(svgEl('line', { class: 'ref', x1: m.l, x2: w - m.r, y1: y, y2: y }));
    svg.append(svgEl('text', { class: 'ref-label', x: w - m.r - 2, y: y - 4, 'text-anchor': 'end' }, r.label));
  }
  const usable = (x, y) => y !== null && Number.isFinite(y) && x >= x0 && x <= x1 && (!spec.y.log || y > 0);
  for (const b of spec.bands || []) {
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        const top = run.map(([x, , hi]) => `${sx(x).toFixed(1)},${sy(hi).toFixed(1)}`);
        const bottom = run.slice().reverse().map(([x, lo]) => `${sx(x).toFixed(1)},${sy(lo).toFixed(1)}`);
        svg.append(svgEl('polygon', { class: `area ${b.cls}`, points: top.concat(bottom).join(' ') }));
      }
      run = [];
    };
    for (const p of b.points) {
      if (usable(p[0], p[1]) && usable(p[0], p[2])) run.push(p);
      else flush();
    }
    flush();
  }
  let drawn = 0;
  for (const s of spec.series) {
    let d = '';
    let pen = false;
    let last = null;
    let segmentPoints = 0;
    for (const [x, y] of s.points) {
      const ok = y !== null && Number.isFinite(y) && x >= x0 && x <= x1 && (!spec.y.log || y > 0);
      if (!ok) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
      last = [x, y];
      segmentPoints++;
      drawn++;
    }
    if (d) svg.append(svgEl('path', { class: `series ${s.cls}${s.dashed ? ' dashed' : ''}`, d }));
    if (last && segmentPoints > 0 && !s.dashed) {
      svg.append(svgEl('circle', { class: `dot ${s.cls}`, cx: sx(last[0]).toFixed(1), cy: sy(last[1]).toFixed(1), r: 2.6 }));
    }
  }
  if (drawn === 0 && spec.empty) {
    svg.append(svgEl('text', { class: 'empty', x: m.l + (w - m.l - m.r) / 2, y: m.t + ph / 2, 'text-anchor': 'middle' }, spec.empty));
  }
  container.replaceChildren(svg);
}

/**
 * A histogram of counts over bins with a vertical bound (the clipping norm): bars past the bound are
 * drawn in the second colour.
 * spec: {label, edges, counts, bound, boundLabel, xTitle, yTitle}
 */
export function histogram(container, spec) {
  const { svg, w, h } = frame(container, spec.label);
  const m = { l: 50, r: 14, t: 18, b: 34 };
  const ph = h - m.t - m.b;
  const edges = spec.edges;
  const counts = spec.counts;
  const x0 = edges[0];
  const x1 = Math.max(edges[edges.length - 1], spec.bound || 0);
  const sx = (x) => m.l + ((x - x0) / (x1 - x0 || 1)) * (w - m.l - m.r);
  const max = Math.max(1, ...counts);
  const nt = niceTicks(0, max, 4, true);
  const sy = (y) => m.t + ph - (y / nt.hi) * ph;
  svg.append(yAxis(svg, m, w, nt.ticks, sy, (t) => String(t)));
  const xt = niceTicks(x0, x1, 5).ticks.filter((t) => t <= x1 + 1e-12).map((v) => ({ v, label: tickLabel(v) }));
  svg.append(xAxis(m, h, w, xt, sx));
  axisTitles(svg, w, h, m, spec.xTitle, spec.yTitle);
  const bars = svgEl('g', { class: 'bars' });
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] <= 0) continue;
    const a = sx(edges[i]);
    const b = sx(edges[i + 1]);
    const top = sy(counts[i]);
    const over = spec.bound && edges[i] >= spec.bound - 1e-12;
    const rect = svgEl('rect', {
      class: over ? 'bar over' : 'bar', x: (a + 0.5).toFixed(1), y: top.toFixed(1),
      width: Math.max(1, b - a - 1).toFixed(1), height: Math.max(0.5, h - m.b - top).toFixed(1), 'data-count': counts[i],
    });
    rect.append(svgEl('title', {}, `${measure(edges[i])} to ${measure(edges[i + 1])}: ${counts[i]} samples`));
    bars.append(rect);
  }
  svg.append(bars);
  if (spec.bound) {
    const x = sx(spec.bound);
    svg.append(svgEl('line', { class: 'bound', x1: x, x2: x, y1: m.t - 4, y2: h - m.b }));
    const right = x > w - 90;
    svg.append(svgEl('text', { class: 'bound-label', x: right ? x - 4 : x + 4, y: m.t + 6, 'text-anchor': right ? 'end' : 'start' },
      spec.boundLabel));
  }
  container.replaceChildren(svg);
}

const VIRIDIS = ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725']
  .map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));

/** The viridis colour of v in [0, 1] as [r, g, b]. */
export function viridis(v) {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  return VIRIDIS[i].map((c, k) => Math.round(c + (VIRIDIS[i + 1][k] - c) * f));
}

let gradientIds = 0;

/**
 * A heatmap of a rows x cols grid of values in [0, 1] (relative to max), square cells, with a colour bar
 * labelled in absolute units (0 to max).
 * spec: {label, rows, cols, values, max, block, xTitle, yTitle, barTitle}
 */
export function heatmap(container, spec) {
  const { svg, w, h } = frame(container, spec.label);
  const m = { l: 46, r: 86, t: 8, b: 34 };
  const cell = Math.max(1, Math.min((w - m.l - m.r) / spec.cols, (h - m.t - m.b) / spec.rows));
  const mw = cell * spec.cols;
  const mh = cell * spec.rows;
  m.l += Math.max(0, (w - m.l - m.r - mw) / 2);   // centred when the height limits the map
  const canvas = document.createElement('canvas');
  canvas.width = spec.cols;
  canvas.height = spec.rows;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(spec.cols, spec.rows);
  for (let i = 0; i < spec.values.length; i++) {
    const [r, g, b] = viridis(spec.values[i]);
    img.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  svg.append(svgEl('image', {
    href: canvas.toDataURL('image/png'), x: m.l, y: m.t, width: mw.toFixed(1), height: mh.toFixed(1),
    preserveAspectRatio: 'none', class: 'pixels',
  }));
  const block = spec.block || 1;
  const sx = (c) => m.l + (c / (spec.cols * block)) * mw;
  const sy = (r) => m.t + (r / (spec.rows * block)) * mh;
  const xg = svgEl('g', { class: 'axis' });
  xg.append(svgEl('line', { x1: m.l, x2: m.l + mw, y1: m.t + mh, y2: m.t + mh }));
  for (const v of niceTicks(0, spec.cols * block, 4, true).ticks.filter((t) => t <= spec.cols * block)) {
    xg.append(svgEl('line', { x1: sx(v), x2: sx(v), y1: m.t + mh, y2: m.t + mh + 4 }));
    xg.append(svgEl('text', { x: sx(v), y: m.t + mh + 15, 'text-anchor': 'middle' }, String(v)));
  }
  xg.append(svgEl('line', { x1: m.l, x2: m.l, y1: m.t, y2: m.t + mh }));
  for (const v of niceTicks(0, spec.rows * block, 4, true).ticks.filter((t) => t <= spec.rows * block)) {
    xg.append(svgEl('line', { x1: m.l - 4, x2: m.l, y1: sy(v), y2: sy(v) }));
    xg.append(svgEl('text', { x: m.l - 6, y: sy(v) + 3.5, 'text-anchor': 'end' }, String(v)));
  }
  svg.append(xg);
  svg.append(svgEl('text', { class: 'axis-title', x: m.l + mw / 2, y: m.t + mh + 30, 'text-anchor': 'middle' }, spec.xTitle));
  const cy = m.t + mh / 2;
  const ty = m.l - 35;
  svg.append(svgEl('text', { class: 'axis-title', x: ty, y: cy, 'text-anchor': 'middle', transform: `rotate(-90 ${ty} ${cy})` }, spec.yTitle));
  // colour bar: 0 at the bottom, max at the top
  const id = `cbar-${++gradientIds}`;
  const grad = svgEl('linearGradient', { id, x1: 0, x2: 0, y1: 1, y2: 0 });
  for (let i = 0; i <= 10; i++) {
    const [r, g, b] = viridis(i / 10);
    grad.append(svgEl('stop', { offset: `${i * 10}%`, 'stop-color': `rgb(${r},${g},${b})` }));
  }
  const defs = svgEl('defs');
  defs.append(grad);
  svg.append(defs);
  const bx = m.l + mw + 14;
  svg.append(svgEl('rect', { x: bx, y: m.t, width: 12, height: mh, fill: `url(#${id})` }));
  svg.append(svgEl('rect', { class: 'cbar-frame', x: bx, y: m.t, width: 12, height: mh }));
  const bg = svgEl('g', { class: 'axis' });
  for (const f of [0, 0.5, 1]) {
    const y = m.t + mh - f * mh;
    bg.append(svgEl('line', { x1: bx + 12, x2: bx + 16, y1: y, y2: y }));
    bg.append(svgEl('text', { x: bx + 18, y: y + 3.5 }, measure(f * spec.max)));
  }
  svg.append(bg);
  const tx = bx + 78;
  svg.append(svgEl('text', { class: 'axis-title', x: tx, y: cy, 'text-anchor': 'middle', transform: `rotate(-90 ${tx} ${cy})` }, spec.barTitle));
  container.replaceChildren(svg);
}
