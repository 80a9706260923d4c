// DOM and formatting helpers. Every value reaches the page through textContent or
// setAttribute, never through innerHTML, so user data cannot inject markup.

/**
 * Creates an element. props: "class", "text", "on<event>" handlers, booleans (set as empty
 * attributes when true), anything else as an attribute. Children: nodes, strings, numbers,
 * arrays; null, undefined and false are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces the children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// ---- time and durations (the API sends UTC RFC 3339; the page shows local time) ----

const FULL = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const MONTH_DAY_TIME = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
});
const DATE = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const TIME_MS = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3,
});
const DAY_TIME_MS = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3,
});
const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'long' });

export function parseTime(iso) {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** "2 minutes ago" / "in 5 seconds". */
export function relative(iso, now = Date.now()) {
  const t = parseTime(iso);
  if (t === null) return '';
  const diff = (t - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 1) return 'just now';
  if (abs < 60) return RELATIVE.format(Math.round(diff), 'second');
  if (abs < 3600) return RELATIVE.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return RELATIVE.format(Math.round(diff / 3600), 'hour');
  return RELATIVE.format(Math.round(diff / 86400), 'day');
}

/** Local time, as short as is unambiguous: today "14:03:05", this year "Nov 21, 14:03", else the date. */
export function shortTime(t, now = new Date()) {
  const d = new Date(t);
  if (d.toDateString() === now.toDateString()) return TIME.format(d);
  if (d.getFullYear() === now.getFullYear()) return MONTH_DAY_TIME.format(d);
  return DATE.format(d);
}

/**
 * A <time> element in the browser's local time; the tooltip has the full local and UTC value.
 * Options: ms (time of day with milliseconds), full (date and time), rel (add "2 minutes
 * ago"), inline (for use inside a sentence).
 */
export function timeEl(iso, { ms = false, full = false, rel = false, inline = false } = {}) {
  const t = parseTime(iso);
  if (t === null) return h('span', { class: 'muted' }, '—');
  const today = new Date(t).toDateString() === new Date().toDateString();
  const label = ms ? (today ? TIME_MS : DAY_TIME_MS).format(t) : full || inline ? FULL.format(t) : shortTime(t);
  const time = h('time', { datetime: iso, title: `${FULL.format(t)} local · ${iso}` }, label);
  if (inline) return time;
  return h('span', { class: 'when' }, time, rel ? h('span', { class: 'rel' }, relative(iso)) : null);
}

/** 850 ms, 1.25 s, 3 min 05 s, 2 h 03 min, 1 d 4 h. */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.floor(s);
  const d = Math.floor(total / 86400);
  const hh = Math.floor((total % 86400) / 3600);
  const mm = Math.floor((total % 3600) / 60);
  const ss = total % 60;
  if (d > 0) return `${d} d ${hh} h`;
  if (hh > 0) return `${hh} h ${String(mm).padStart(2, '0')} min`;
  return `${mm} min ${String(ss).padStart(2, '0')} s`;
}

export function bytes(n) {
  if (n === null || n === undefined) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// ---- code blocks ----

/** A scrollable block with pretty-printed JSON. */
export function jsonBlock(value, label) {
  const text = value === undefined ? '' : JSON.stringify(value, null, 2);
  return h('pre', { class: 'code', tabindex: 0, 'aria-label': label || 'JSON' }, text);
}

/** A scrollable block for an HTTP body; JSON bodies are pretty-printed. */
export function bodyBlock(body, label) {
  let text = body;
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try { text = JSON.stringify(JSON.parse(trimmed), null, 2); } catch { /* show as sent */ }
  }
  if (text === '') return h('p', { class: 'muted' }, 'Empty body.');
  return h('pre', { class: 'code', tabindex: 0, 'aria-label': label || 'Body' }, text);
}

/** Title-cases an enum value: WAIT_FOR_EVENT -> "Wait for event". */
export function humanize(value) {
  if (!value) return '';
  const s = String(value).toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
