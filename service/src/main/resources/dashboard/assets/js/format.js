// Number formatting for the figures (their text is what tests and screen readers read).

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count: every digit, grouped ("1,234,567"). */
export function count(v) {
  return Number.isFinite(v) ? GROUPED.format(Math.round(v)) : '–';
}

/** A measurement: whole and grouped from 1000 up, else 3 significant digits ("12.3", "0.0512"). */
export function measure(v, digits = 3) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  if (Math.abs(v) >= 1000) return GROUPED.format(Math.round(v));
  return String(Number(v.toPrecision(digits)));
}

/** A fraction as a percentage ("41.2 %"). */
export function percent(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${Number((v * 100).toPrecision(3))} %`;
}

/** A short tick label: 3 significant digits, with k from 10^4, M from 10^6, G from 10^9. */
export function tick(v) {
  const a = Math.abs(v);
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/** Seconds as a duration in ms for the latency chart. */
export function ms(seconds) {
  return measure(seconds * 1000);
}
