// Building blocks shared by the views: badges, run tables, empty/error states, dialogs,
// toasts and polling.
import { h, timeEl, duration, humanize, relative, shortTime } from './dom.js';

const KNOWN_STATUS = new Set(['QUEUED', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED']);

/** A colored badge for a run or span status; unknown values get a neutral look. */
export function statusBadge(status) {
  const cls = KNOWN_STATUS.has(status) ? status.toLowerCase() : 'unknown';
  return h('span', { class: `badge status-${cls}`, 'data-status': status }, humanize(status || 'UNKNOWN'));
}

/** One short line about a wait, for tables: "Sleeping until 14:05:03". */
export function waitSummary(wait) {
  switch (wait.reason) {
    case 'SLEEP':
      return ['Sleeping', wait.until ? [' until ', h('time', { datetime: wait.until, title: wait.until }, shortTime(Date.parse(wait.until)))] : null];
    case 'WAIT_FOR_EVENT':
      return ['Waiting for ', h('code', {}, wait.eventName || 'an event')];
    case 'WAIT_FOR_SIGNAL':
      return ['Waiting for signal ', h('code', {}, wait.signal || '?')];
    case 'RETRY':
      return [`Retrying${wait.nextAttempt ? ` (attempt ${wait.nextAttempt})` : ''}`,
        wait.until ? [' at ', h('time', { datetime: wait.until, title: wait.until }, shortTime(Date.parse(wait.until)))] : null];
    default:
      return [humanize(wait.reason)];
  }
}

/** A sentence about a wait, for the run page. */
export function waitSentence(wait) {
  const step = h('strong', { class: 'mono' }, wait.stepId);
  const until = wait.until ? [timeEl(wait.until, { inline: true }), ` (${relative(wait.until)})`] : null;
  switch (wait.reason) {
    case 'SLEEP':
      return ['Step ', step, ' is sleeping', until ? [' until ', until] : null, '.'];
    case 'WAIT_FOR_EVENT':
      return ['Step ', step, ' is waiting for event ', h('code', {}, wait.eventName || '?'),
        wait.if ? [' matching ', h('code', {}, wait.if)] : null,
        until ? ['; it times out at ', until] : '; it has no timeout', '.'];
    case 'WAIT_FOR_SIGNAL':
      return ['Step ', step, ' is waiting for signal ', h('code', {}, wait.signal || '?'),
        until ? ['; it times out at ', until] : '; it has no timeout', '.'];
    case 'RETRY':
      return ['Step ', step, ' failed and will be retried',
        wait.nextAttempt ? ` (attempt ${wait.nextAttempt})` : '', until ? [' at ', until] : null, '.'];
    default:
      return ['Step ', step, ` is waiting (${humanize(wait.reason)})`, until ? [' until ', until] : null, '.'];
  }
}

export function waitLabel(reason) {
  return {
    SLEEP: 'Sleeping', WAIT_FOR_EVENT: 'Waiting for an event', WAIT_FOR_SIGNAL: 'Waiting for a signal',
    RETRY: 'Waiting to retry',
  }[reason]
    || humanize(reason);
}

/** A table of runs; rows link to the run page. */
export function runTable(runs, { caption = 'Runs', showFunction = true } = {}) {
  const head = h('tr', {},
    h('th', { scope: 'col', class: 'col-status' }, 'Status'),
    h('th', { scope: 'col', class: 'col-id' }, 'Run'),
    showFunction ? h('th', { scope: 'col', class: 'col-fn' }, 'Function') : null,
    h('th', { scope: 'col', class: 'col-req' }, 'Request'),
    h('th', { scope: 'col', class: 'col-time' }, 'Queued'),
    h('th', { scope: 'col', class: 'col-num' }, 'Duration'),
    h('th', { scope: 'col', class: 'col-num' }, 'Steps'));
  const rows = runs.map((run) => runRow(run, showFunction));
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table runs' },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, head),
      h('tbody', {}, rows)));
}

function runRow(run, showFunction) {
  const href = `#/runs/${encodeURIComponent(run.id)}`;
  const fn = run.function || {};
  const req = run.request || {};
  const live = run.status === 'RUNNING' && run.startedAt && !run.endedAt;
  const tr = h('tr', { class: 'clickable', 'data-run-id': run.id },
    h('td', { class: 'col-status' },
      statusBadge(run.status),
      (run.waits || []).slice(0, 1).map((w) => h('div', { class: 'sub wait-line' }, waitSummary(w))),
      run.error ? h('div', { class: 'sub error-line', title: run.error.message }, run.error.message) : null),
    h('td', { class: 'col-id' },
      h('a', { href, class: 'mono run-link', title: run.id }, run.id),
      run.originalRunId ? h('div', { class: 'sub' }, h('span', { class: 'tag' }, 'rerun')) : null),
    showFunction ? h('td', { class: 'col-fn' },
      h('div', { class: 'ellipsis strong', title: fn.name || fn.id }, fn.name || fn.id || '—'),
      h('div', { class: 'ellipsis sub', title: (run.app || {}).id }, (run.app || {}).id || '')) : null,
    h('td', { class: 'col-req' },
      h('div', { class: 'ellipsis', title: `${req.method || ''} ${req.url || ''}` },
        h('span', { class: 'method' }, req.method || ''), ' ',
        h('span', { class: 'mono' }, pathAndQuery(req)))),
    h('td', { class: 'col-time' }, timeEl(run.queuedAt, { rel: true })),
    h('td', { class: 'col-num' },
      live ? h('span', { class: 'muted', title: 'Still running' }, duration(Date.now() - Date.parse(run.startedAt)), '…')
        : duration(run.durationMs)),
    h('td', { class: 'col-num' }, String(run.stepCount ?? 0),
      run.failedAttemptCount > 0
        ? h('div', { class: 'sub error-line' }, `${run.failedAttemptCount} failed`) : null));
  // The whole row opens the run for pointer users; keyboard users use the link.
  tr.addEventListener('click', (e) => {
    if (e.target.closest('a, button') || window.getSelection().toString()) return;
    window.location.hash = href;
  });
  return tr;
}

export function pathAndQuery(req) {
  if (!req || !req.path) return '';
  return req.query ? `${req.path}?${req.query}` : req.path;
}

/** A friendly empty state. */
export function emptyState(title, hint) {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title),
    hint ? h('p', { class: 'muted' }, hint) : null);
}

/** An error panel with the API's messages, the request ID, and a retry button. */
export function errorState(title, err, onRetry) {
  const errors = err && err.errors ? err.errors : [{ message: String(err && err.message || err), code: null }];
  return h('div', { class: 'callout callout-error', role: 'alert' },
    h('p', { class: 'callout-title' }, title),
    h('ul', { class: 'plain' }, errors.map((e) =>
      h('li', {}, e.message, e.code ? h('span', { class: 'code-tag' }, e.code) : null))),
    err && err.requestId ? h('p', { class: 'sub' }, 'Request ID: ', h('span', { class: 'mono' }, err.requestId)) : null,
    onRetry ? h('button', { type: 'button', class: 'btn', onclick: onRetry }, 'Try again') : null);
}

/** Shows a short message in the live region at the bottom of the page. */
export function toast(message, kind = 'info') {
  const region = document.getElementById('toasts');
  if (!region) return;
  const item = h('div', { class: `toast toast-${kind}` }, message);
  region.appendChild(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

/** A modal confirmation built on <dialog>; resolves to true when confirmed. */
export function confirmDialog({ title, message, confirmLabel, cancelLabel = 'Keep it', danger = false }) {
  return new Promise((resolve) => {
    const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
    const cancel = h('button', { type: 'button', class: 'btn', value: 'cancel' }, cancelLabel);
    const confirm = h('button', { type: 'button', class: danger ? 'btn btn-danger' : 'btn btn-primary', value: 'ok' }, confirmLabel);
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title),
      h('p', {}, message),
      h('div', { class: 'dialog-actions' }, cancel, confirm));
    let result = false;
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => { result = true; dialog.close(); });
    dialog.addEventListener('close', () => { dialog.remove(); resolve(result); });
    document.body.appendChild(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

const MAX_BACKOFF_MS = 60000;

/**
 * Live refresh: calls fn now and then every intervalMs, never two calls at once. fn may return a
 * number of milliseconds to wait instead (0: at once). When fn throws, the next call waits
 * longer and the page's refresh notice says why: after a 429 the server's Retry-After, after
 * other errors intervalMs doubled per failure in a row, at most 60 s. The first success clears
 * the notice. While the tab is hidden nothing is fetched; the refresh resumes as soon as the tab
 * is visible or focused again. Returns {stop, now}; now() refreshes at once (e.g. a button).
 */
export function poll(fn, intervalMs) {
  let timer = null;
  let stopped = false;
  let busy = false;
  let again = false; // now() was called during a refresh: run once more right after it
  let paused = false; // a refresh fell due while the tab was hidden
  let failures = 0;
  async function tick() {
    timer = null;
    if (stopped) return;
    if (busy) { again = true; return; }
    if (document.visibilityState === 'hidden') { paused = true; return; }
    busy = true;
    let next = intervalMs;
    try {
      const wanted = await fn();
      if (typeof wanted === 'number') next = wanted;
      failures = 0;
      refreshNotice(null);
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      failures += 1;
      next = backoffMs(e, failures, intervalMs);
      refreshNotice(e, next);
    } finally {
      busy = false;
    }
    if (again) { again = false; next = 0; }
    schedule(next);
  }
  function schedule(ms) {
    if (!stopped && timer === null) timer = setTimeout(tick, ms);
  }
  const resume = () => {
    if (paused && document.visibilityState !== 'hidden') { paused = false; tick(); }
  };
  document.addEventListener('visibilitychange', resume);
  window.addEventListener('focus', resume);
  tick();
  return {
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      document.removeEventListener('visibilitychange', resume);
      window.removeEventListener('focus', resume);
      refreshNotice(null);
    },
    now() {
      if (timer !== null) { clearTimeout(timer); timer = null; }
      paused = false;
      tick();
    },
  };
}

/** How long to wait after the failures-th failure in a row. */
function backoffMs(err, failures, intervalMs) {
  if (err && err.status === 429 && err.retryAfter) {
    return Math.min(MAX_BACKOFF_MS, Math.max(intervalMs, err.retryAfter * 1000));
  }
  return Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** failures);
}

/** The small live-refresh line in the header: why refreshing is slower, or nothing. */
function refreshNotice(err, waitMs) {
  const el = document.getElementById('refresh-notice');
  if (!el) return;
  if (!err) {
    el.hidden = true;
    el.textContent = '';
    el.removeAttribute('data-reason');
    return;
  }
  const seconds = Math.max(1, Math.round(waitMs / 1000));
  const limited = err.status === 429;
  el.setAttribute('data-reason', limited ? 'rate-limited' : 'error');
  el.textContent = limited
    ? `Live refresh slowed down: the orchestrator is rate limiting; retrying in ${seconds} s.`
    : `Live refresh failed (${err.message || 'error'}); retrying in ${seconds} s.`;
  el.title = err.requestId ? `Request ID ${err.requestId}` : '';
  el.hidden = false;
}

/** Heading row of a page: title, optional subtitle nodes, and actions on the right. */
export function pageHeader(title, { sub, actions, crumbs } = {}) {
  return h('div', { class: 'page-header' },
    crumbs ? h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, crumbs) : null,
    h('div', { class: 'page-header-row' },
      h('div', { class: 'page-title' },
        h('h1', { tabindex: -1 }, title),
        sub ? h('div', { class: 'page-sub' }, sub) : null),
      actions ? h('div', { class: 'page-actions' }, actions) : null));
}

