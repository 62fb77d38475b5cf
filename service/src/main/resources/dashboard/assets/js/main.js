// The JacFlux dashboard page: reads the service's live figures from /v1/dashboard/events and draws
// them. Figures only ever come from that stream; the token (when the service asks for one) is kept in
// sessionStorage for this tab's session and sent in the Authorization header.

import { openStream } from './sse.js';
import { lineChart, histogram, heatmap } from './charts.js';
import { count, measure, percent, ms, tick } from './format.js';

const TOKEN_KEY = 'jacflux.dashboard.token';
const REASONS = ['shape', 'non-finite', 'budget', 'internal', 'cancelled'];
const STAGES = [['forward', 's1'], ['vjp-chunk', 's2'], ['assembly', 's3']];
const MAX_TRAINING_POINTS = 600;

const $ = (id) => document.getElementById(id);

const state = {
  seq: -1,
  interval: 1,
  historySeconds: 300,
  points: [],
  totals: null,
  trainings: new Map(),
  saliency: null,
};

// ---- token --------------------------------------------------------------------------------------

let memoryToken = null;   // used only where sessionStorage is unavailable

function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || memoryToken;
  } catch {
    return memoryToken;
  }
}

function keepToken(value) {
  try {
    sessionStorage.setItem(TOKEN_KEY, value);
  } catch {
    memoryToken = value;   // storage unavailable: the token lives as long as this page
  }
}

function forgetToken() {
  memoryToken = null;
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: nothing stored
  }
}

function askForToken(message) {
  $('board').hidden = true;
  $('token-form').hidden = false;
  $('forget-token').hidden = true;
  const err = $('token-error');
  err.hidden = !message;
  err.textContent = message || '';
  setStatus('token', 'token needed');
  $('token-input').focus();
}

// ---- status -------------------------------------------------------------------------------------

function setStatus(kind, text) {
  const s = $('status');
  s.dataset.state = kind;
  s.textContent = text;
}

// ---- figures ------------------------------------------------------------------------------------

/** Sets the text (and data-value) of every element whose data-metric is name, within root, matching extra attributes. */
function setMetric(root, name, value, text, extra = {}) {
  let selector = `[data-metric="${name}"]`;
  for (const [k, v] of Object.entries(extra)) selector += `[data-${k}="${v}"]`;
  for (const el of root.querySelectorAll(selector)) {
    if (el.textContent !== text) el.textContent = text;
    el.dataset.value = value === null || value === undefined || !Number.isFinite(value) ? '' : String(value);
  }
}

function timeTicks(now, spanSeconds) {
  const step = spanSeconds > 600 ? 300 : spanSeconds > 150 ? 60 : spanSeconds > 90 ? 30 : spanSeconds > 30 ? 15 : 5;
  const ticks = [];
  for (let s = 0; s <= spanSeconds + 1e-9; s += step) {
    const label = s === 0 ? 'now' : step >= 60 ? `−${s / 60} min` : `−${s} s`;
    ticks.push({ v: now - s * 1000, label });
  }
  return ticks;
}

function renderLive() {
  const pts = state.points;
  const last = pts.length ? pts[pts.length - 1] : null;
  const now = last ? last.t : Date.now();
  // the window grows with the history kept, from one minute up to jacflux.dashboard.history
  const kept = pts.length ? (now - pts[0].t) / 1000 : 0;
  const span = Math.min(state.historySeconds, Math.max(60, kept));
  const x = { min: now - span * 1000, max: now, ticks: timeTicks(now, span), title: 'time' };
  const empty = 'waiting for Jacobian jobs…';
  lineChart($('chart-samples'), {
    label: 'samples per second over time', x, empty,
    y: { title: 'samples/s', min: 0, atLeast: 1 },
    series: [{ cls: 's1', points: pts.map((p) => [p.t, p.samples_per_second]) }],
  });
  lineChart($('chart-entries'), {
    label: 'Jacobian entries per second over time', x, empty,
    y: { title: 'entries/s', min: 0, atLeast: 1 },
    series: [{ cls: 's4', points: pts.map((p) => [p.t, p.entries_per_second]) }],
  });
  const series = [];
  const bands = [];
  for (const [stage, cls] of STAGES) {
    const ran = (p) => p.stages[stage].count > 0;
    series.push({ cls, points: pts.map((p) => [p.t, ran(p) ? p.stages[stage].p50 * 1000 : null]) });
    bands.push({ cls, points: pts.map((p) => [p.t, ran(p) ? p.stages[stage].p50 * 1000 : null, ran(p) ? p.stages[stage].p95 * 1000 : null]) });
  }
  lineChart($('chart-latency'), {
    label: 'stage durations over time', x, y: { title: 'duration (ms, log scale)', log: true, format: tick }, series, bands, empty,
  });

  const board = $('board');
  setMetric(board, 'jacflux.samples.per_second', last ? last.samples_per_second : 0, measure(last ? last.samples_per_second : 0));
  setMetric(board, 'jacflux.jacobian.entries.per_second', last ? last.entries_per_second : 0, measure(last ? last.entries_per_second : 0));
  for (const [stage] of STAGES) {
    // the latest interval in which the stage ran
    let s = null;
    for (let i = pts.length - 1; i >= 0 && !s; i--) if (pts[i].stages[stage].count) s = pts[i].stages[stage];
    for (const stat of ['p50', 'p95']) {
      setMetric(board, 'jacflux.stage.duration', s ? s[stat] * 1000 : null, s ? ms(s[stat]) : '–', { stage, stat });
    }
  }
}

function renderTotals() {
  const t = state.totals;
  if (!t) return;
  const board = $('board');
  setMetric(board, 'jacflux.samples', t.samples, count(t.samples), { outcome: 'success' });
  setMetric(board, 'jacflux.jacobian.entries', t.jacobian_entries, count(t.jacobian_entries));
  setMetric(board, 'jacflux.inflight.batches', t.batches_in_flight, count(t.batches_in_flight));
  setMetric(board, 'jacflux.batches', t.succeeded_batches, count(t.succeeded_batches), { outcome: 'success' });
  setMetric(board, 'jacflux.batches', t.failed_batches, count(t.failed_batches), { outcome: 'failure' });
  const most = Math.max(1, t.succeeded_batches, t.failed_batches);
  $('bar-success').style.width = `${(100 * t.succeeded_batches) / most}%`;
  $('bar-failure').style.width = `${(100 * t.failed_batches) / most}%`;
  const reasons = $('reason-bars');
  if (!reasons.childElementCount) {
    for (const r of REASONS) {
      const row = document.createElement('div');
      row.className = 'bar-row';
      const label = document.createElement('span');
      label.className = 'bar-label';
      label.textContent = r;
      const track = document.createElement('span');
      track.className = 'bar-track';
      const fill = document.createElement('span');
      fill.className = 'bar-fill bad';
      fill.dataset.reason = r;
      track.append(fill);
      const value = document.createElement('span');
      value.className = 'bar-value';
      const v = document.createElement('span');
      v.dataset.metric = 'jacflux.failed.batches';
      v.dataset.reason = r;
      v.textContent = '0';
      const unit = document.createElement('span');
      unit.className = 'unit';
      unit.textContent = ' batches';
      value.append(v, unit);
      row.append(label, track, value);
      reasons.append(row);
    }
  }
  const mostFailures = Math.max(1, ...REASONS.map((r) => t.failures[r] || 0));
  for (const r of REASONS) {
    const n = t.failures[r] || 0;
    setMetric(reasons, 'jacflux.failed.batches', n, count(n), { reason: r });
    reasons.querySelector(`.bar-fill[data-reason="${r}"]`).style.width = `${(100 * n) / mostFailures}%`;
  }
}

function renderSaliency() {
  const s = state.saliency;
  const container = $('chart-saliency');
  const facts = $('saliency-facts');
  if (!s) {
    container.hidden = true;
    facts.hidden = true;
    return;
  }
  container.hidden = false;
  facts.hidden = false;
  const sizeNote = s.block > 1 ? `, ${s.block}×${s.block} pixels per cell` : '';
  $('saliency-caption').textContent = `Mean |∂y/∂x| over the request's ${count(s.samples)} samples, the model's outputs`
    + ` and ${s.channels} input channel${s.channels === 1 ? '' : 's'}${sizeNote}; request ${s.request_id}.`;
  heatmap(container, {
    label: `saliency map of model ${s.model}`, rows: s.height, cols: s.width, values: s.values, max: s.max, block: s.block,
    xTitle: 'input column (px)', yTitle: 'input row (px)', barTitle: 'mean |∂y/∂x|',
  });
  container.dataset.value = String(s.max);
  setMetric(facts, 'saliency.model', null, s.model);
  setMetric(facts, 'saliency.samples', s.samples, count(s.samples));
  setMetric(facts, 'saliency.max', s.max, measure(s.max));
  setMetric(facts, 'saliency.mean', s.mean, measure(s.mean));
}

// ---- trainings ----------------------------------------------------------------------------------

function trainingCard(id) {
  let card = document.querySelector(`article.training[data-training="${CSS.escape(id)}"]`);
  if (card) return card;
  card = $('training-template').content.firstElementChild.cloneNode(true);
  card.dataset.training = id;
  for (const el of card.querySelectorAll('[data-metric]')) el.dataset.training = id;
  card.querySelector('.training-id').textContent = id;
  $('training-list').prepend(card);
  return card;
}

function stepTicks(points) {
  const first = points.length ? points[0][0] : 0;
  const last = points.length ? points[points.length - 1][0] : 1;
  const lo = Math.min(first, last - 1);
  return { min: lo, max: last, title: 'step', ticks: niceTicksFor(lo, last) };
}

function niceTicksFor(lo, hi) {
  const span = Math.max(1, hi - lo);
  const raw = span / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = Math.max(1, Math.round((f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag));
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) ticks.push({ v, label: String(v) });
  return ticks;
}

function renderTraining(entry) {
  const u = entry.latest;
  const card = trainingCard(u.id);
  const badge = card.querySelector('[data-field="state"]');
  badge.textContent = u.state;
  badge.dataset.state = u.state;
  const sub = [`model ${u.model}`, u.dp ? `DP-SGD, noise ${measure(u.noise_multiplier)}, clip C = ${measure(u.max_grad_norm)}` : 'plain SGD'];
  if (u.privacy) sub.push(u.privacy);
  card.querySelector('.training-sub').textContent = sub.join(' · ');
  setMetric(card, 'training.step', u.step, count(u.step));
  card.querySelector('.planned').textContent = u.planned_steps ? ` of ${count(u.planned_steps)}` : '';
  setMetric(card, 'training.loss', u.loss, measure(u.loss, 4));
  setMetric(card, 'training.clipped_fraction', u.clipped_fraction, percent(u.clipped_fraction));
  setMetric(card, 'training.epsilon', u.epsilon, u.epsilon === null || u.epsilon === undefined ? 'not accounted' : measure(u.epsilon));
  setMetric(card, 'training.target_epsilon', u.target_epsilon, u.target_epsilon ? measure(u.target_epsilon) : 'no target');
  setMetric(card, 'training.delta', u.delta, u.delta ? String(u.delta) : '–');
  setMetric(card, 'training.samples_per_second', u.samples_per_second, measure(u.samples_per_second));
  const fill = card.querySelector('.eps-fill');
  const share = u.target_epsilon && u.epsilon !== null && u.epsilon !== undefined ? u.epsilon / u.target_epsilon : 0;
  fill.style.width = `${Math.min(100, share * 100)}%`;
  fill.classList.toggle('near', share >= 0.9 && share <= 1);
  fill.classList.toggle('over', share > 1);

  const h = entry.history;
  const x = stepTicks(h);
  const waiting = 'no step yet';
  lineChart(card.querySelector('[data-role="loss"]'), {
    label: `loss of training ${u.id} by step`, x, empty: waiting,
    y: { title: 'loss', min: 0 }, series: [{ cls: 's1', points: h.map((p) => [p[0], p[1]]) }],
  });
  lineChart(card.querySelector('[data-role="epsilon"]'), {
    label: `privacy spent by training ${u.id} by step`, x, empty: u.dp ? waiting : 'plain SGD: no privacy accounting',
    y: { title: 'ε spent', min: 0 }, series: [{ cls: 's4', points: h.map((p) => [p[0], p[3]]) }],
    refs: u.target_epsilon ? [{ y: u.target_epsilon, label: `target ε = ${measure(u.target_epsilon)}` }] : [],
  });
  lineChart(card.querySelector('[data-role="clipped"]'), {
    label: `clipped fraction of training ${u.id} by step`, x, empty: u.dp ? waiting : 'plain SGD: no clipping',
    y: { title: 'clipped (%)', min: 0, atLeast: 100 }, series: [{ cls: 's2', points: h.map((p) => [p[0], p[2] === null ? null : p[2] * 100]) }],
  });
  const hist = card.querySelector('[data-role="histogram"]');
  const g = u.grad_norm_histogram;
  if (g && g.counts && g.counts.length) {
    const total = g.counts.reduce((a, b) => a + b, 0);
    histogram(hist, {
      label: `per-sample gradient norms of step ${u.step}`, edges: g.edges, counts: g.counts, bound: u.max_grad_norm,
      boundLabel: `clip C = ${measure(u.max_grad_norm)}`, xTitle: 'per-sample gradient norm (L2)', yTitle: 'samples',
    });
    hist.dataset.bars = String(g.counts.filter((c) => c > 0).length);
    setMetric(card, 'training.grad_norm_histogram', total, count(total));
    setMetric(card, 'training.histogram_step', u.step, count(u.step));
  } else {
    const p = document.createElement('p');
    p.className = 'figure-caption';
    p.textContent = u.dp ? 'the norms appear after the first non-empty step' : 'plain SGD: no per-sample clipping';
    hist.replaceChildren(p);
    hist.dataset.bars = '0';
    setMetric(card, 'training.grad_norm_histogram', 0, '0');
  }
}

function mergeTraining(panel, replace) {
  const id = panel.latest.id;
  let entry = state.trainings.get(id);
  if (!entry || replace) {
    entry = { latest: panel.latest, history: [] };
    state.trainings.set(id, entry);
  }
  entry.latest = panel.latest;
  for (const p of panel.history) {
    const lastStep = entry.history.length ? entry.history[entry.history.length - 1][0] : -Infinity;
    if (p[0] > lastStep) entry.history.push(p);
  }
  if (entry.history.length > MAX_TRAINING_POINTS) {
    const lastPoint = entry.history[entry.history.length - 1];
    entry.history = entry.history.filter((_, i) => i % 2 === 0 && i < entry.history.length - 1).concat([lastPoint]);
  }
  entry.dirty = true;
}

function renderTrainings() {
  $('no-trainings').hidden = state.trainings.size > 0;
  for (const entry of state.trainings.values()) {
    if (entry.dirty || entry.resized) {
      renderTraining(entry);
      entry.dirty = false;
      entry.resized = false;
    }
  }
}

// ---- events -------------------------------------------------------------------------------------

function trimPoints() {
  if (!state.points.length) return;
  const now = state.points[state.points.length - 1].t;
  const from = now - state.historySeconds * 1000;
  while (state.points.length && state.points[0].t < from) state.points.shift();
}

function onSnapshot(s) {
  state.seq = s.seq;
  state.interval = s.interval_seconds;
  state.historySeconds = s.history_seconds;
  state.points = s.points.slice();
  state.totals = s.totals;
  state.saliency = s.saliency;
  state.trainings = new Map();
  $('training-list').replaceChildren();
  for (const t of s.trainings) mergeTraining(t, true);
  const minutes = s.history_seconds / 60;
  $('history-span').textContent = minutes >= 1 ? `${Number(minutes.toPrecision(3))} min` : `${s.history_seconds} s`;
  renderAll();
}

function onTick(t) {
  if (t.seq <= state.seq) return;
  state.seq = t.seq;
  state.points.push(t.point);
  trimPoints();
  state.totals = t.totals;
  if (t.saliency) state.saliency = t.saliency;
  for (const p of t.trainings) mergeTraining(p, false);
  renderAll(!!t.saliency);
}

function renderAll(saliencyChanged = true) {
  renderLive();
  renderTotals();
  if (saliencyChanged) renderSaliency();
  renderTrainings();
}

function handle(e) {
  let data;
  try {
    data = JSON.parse(e.data);
  } catch {
    return;
  }
  if (e.event === 'snapshot') onSnapshot(data);
  else if (e.event === 'tick') onTick(data);
}

let stream = null;

function connect(tokenRequired) {
  if (tokenRequired && !storedToken()) {
    askForToken(null);
    return;
  }
  $('token-form').hidden = true;
  $('board').hidden = false;
  $('forget-token').hidden = !tokenRequired;
  setStatus('connecting', 'connecting…');
  stream = openStream('/v1/dashboard/events', () => (tokenRequired ? storedToken() : null), {
    onEvent: handle,
    onStatus: (kind, detail) => {
      if (kind === 'live') setStatus('live', 'live');
      else if (kind === 'reconnecting') setStatus('reconnecting', `reconnecting… (${detail})`);
    },
    onUnauthorized: () => {
      forgetToken();
      askForToken('The service refused this token. Paste the token the service was started with.');
    },
  });
}

async function start() {
  let tokenRequired = true;
  try {
    const r = await fetch('/dashboard/access.json', { cache: 'no-store', credentials: 'omit' });
    tokenRequired = (await r.json()).token_required;
  } catch {
    // unknown: ask for the token only if the stream refuses
    tokenRequired = !!storedToken();
  }
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = $('token-input').value.trim();
    if (!value) return;
    keepToken(value);
    $('token-input').value = '';
    connect(true);
  });
  $('forget-token').addEventListener('click', () => {
    if (stream) stream.close();
    forgetToken();
    askForToken(null);
  });
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const e of state.trainings.values()) e.resized = true;
      renderAll();
    }, 100);
  });
  connect(tokenRequired);
}

start();
