// #/runs/<id>: one run with its request, wait reason, step timeline and final response.
import { api, seg, isTerminal, ApiError } from './api.js';
import { h, replace, timeEl, duration, humanize, jsonBlock, bodyBlock, bytes, parseTime } from './dom.js';
import {
  statusBadge, waitSentence, waitLabel, emptyState, errorState, poll, pageHeader, toast,
  confirmDialog, pathAndQuery,
} from './components.js';

const REFRESH_MS = 3000; // run + trace every 3 s while the run is not finished

export function mountRun(root, ctx) {
  const runId = ctx.params.id;
  const openSteps = new Set();
  let shown = '';
  let run = null;
  let busy = false;
  const failedSeen = new Set(); // failed steps open once by themselves; the user may close them

  const view = h('div', { class: 'run-page' });
  replace(root, view, h('p', { class: 'muted loading' }, 'Loading run…'));

  // Throws when the refresh failed, so that poll() backs off (and says so in the header).
  async function refresh() {
    let runRes;
    let traceRes;
    try {
      [runRes, traceRes] = await Promise.all([
        api(`/runs/${seg(runId)}`, { query: { includeOutput: true }, signal: ctx.signal }),
        api(`/runs/${seg(runId)}/trace`, { query: { includeOutput: true }, signal: ctx.signal })
          .catch((e) => (e.name === 'AbortError' ? Promise.reject(e) : { error: e })),
      ]);
    } catch (err) {
      if (err.name === 'AbortError') return undefined;
      if (run === null) {
        renderFailure(err);
        if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
          poller.stop();
          return undefined;
        }
      }
      throw err; // the last data stays on screen; the header says why it is not refreshed
    }
    if (ctx.signal.aborted) return undefined;
    // A rate-limited or unreachable trace is a failed refresh, not a trace to show as missing.
    if (traceRes.error && (traceRes.error.status === 429 || traceRes.error.status === 0)
      && run !== null) throw traceRes.error;
    run = runRes.data;
    const trace = traceRes.error ? null : traceRes.data;
    const key = JSON.stringify([run, trace, traceRes.error ? traceRes.error.message : null]);
    if (key !== shown) {
      shown = key;
      render(run, trace, traceRes.error || null);
    }
    if (isTerminal(run.status)) poller.stop();
    return undefined;
  }

  function renderFailure(err) {
    const notFound = err instanceof ApiError && (err.code === 'run_not_found' || err.code === 'invalid_run_id');
    replace(root,
      pageHeader(notFound ? 'Run not found' : 'Run', { crumbs: crumbs(runId) }),
      notFound
        ? emptyState(`There is no run with ID ${runId}.`, 'It may have been deleted by data retention, or the link is wrong.')
        : errorState('The run could not be loaded.', err, () => poller.now()),
      h('p', {}, h('a', { href: '#/runs' }, '← Back to runs')));
  }

  function render(r, trace, traceError) {
    const hadFocus = document.activeElement && root.contains(document.activeElement)
      ? document.activeElement.getAttribute('data-focus-key') : null;
    const fn = r.function || {};
    const actions = [];
    if (!isTerminal(r.status)) {
      actions.push(h('button', { type: 'button', class: 'btn btn-danger', 'data-focus-key': 'cancel', onclick: cancel }, 'Cancel run'));
    }
    actions.push(h('button', { type: 'button', class: 'btn', 'data-focus-key': 'rerun', onclick: rerun }, 'Rerun'));
    replace(root,
      pageHeader(fn.name || fn.id || 'Run', {
        crumbs: crumbs(r.id),
        sub: [statusBadge(r.status), h('span', { class: 'mono run-id', title: 'Run ID' }, r.id),
          r.originalRunId ? h('span', { class: 'tag' }, 'rerun') : null],
        actions,
      }),
      summary(r),
      (r.waits || []).length ? waitCallout(r.waits) : null,
      r.error ? runError(r.error) : null,
      stepsSection(r, trace, traceError),
      h('div', { class: 'grid-2' }, requestSection(r.request), responseSection(r)));
    if (hadFocus) {
      // Keep keyboard focus where it was; if that button is gone (cancelled), go to the title.
      const el = root.querySelector(`[data-focus-key="${CSS.escape(hadFocus)}"]`) || root.querySelector('h1');
      if (el) el.focus();
    }
  }

  function stepsSection(r, trace, traceError) {
    const steps = trace && trace.rootSpan ? trace.rootSpan.children || [] : [];
    let body;
    if (traceError) body = errorState('The step timeline could not be loaded.', traceError);
    else if (steps.length === 0) {
      body = emptyState(r.status === 'QUEUED' ? 'The run has not started yet.' : 'No steps recorded.',
        r.status === 'QUEUED' ? 'Steps appear once the orchestrator calls the endpoint.' : null);
    } else {
      body = stepList(r, trace.rootSpan, steps);
    }
    return h('section', { class: 'card', 'aria-labelledby': 'steps-h' },
      h('div', { class: 'card-head' }, h('h2', { id: 'steps-h' }, 'Steps'),
        steps.length ? h('span', { class: 'muted' }, `${steps.length} step${steps.length === 1 ? '' : 's'}`) : null),
      body);
  }

  function stepList(r, root0, steps) {
    const t0 = parseTime(root0.startedAt) ?? parseTime(r.startedAt) ?? parseTime(r.queuedAt);
    let t1 = parseTime(root0.endedAt) ?? parseTime(r.endedAt) ?? Date.now();
    for (const s of steps) t1 = Math.max(t1, parseTime(s.endedAt) ?? parseTime(s.startedAt) ?? t1);
    const range = Math.max(t1 - t0, 1);
    const header = h('div', { class: 'step-row step-header', 'aria-hidden': 'true' },
      h('span', {}, 'Status'), h('span', {}, 'Step'), h('span', {}, 'Kind'), h('span', { class: 'num' }, 'Attempts'),
      h('span', {}, 'Started'), h('span', { class: 'num' }, 'Duration'), h('span', {}, 'Timeline'));
    const groups = parallelGroups(steps);
    return h('div', { class: 'steps' }, header,
      h('ol', { class: 'step-list' }, steps.map((s) => stepItem(s, t0, range, groups.get(s.id)))));
  }

  function stepItem(span, t0, range, parallel) {
    const start = parseTime(span.startedAt) ?? parseTime(span.queuedAt);
    const end = parseTime(span.endedAt) ?? (span.status === 'RUNNING' || span.status === 'WAITING' ? Date.now() : start);
    const bar = h('span', { class: `bar bar-${(span.status || '').toLowerCase()}${parallel ? ' bar-parallel' : ''}` });
    bar.style.setProperty('--x', `${Math.min(100, Math.max(0, ((start - t0) / range) * 100)).toFixed(2)}%`);
    bar.style.setProperty('--w', `${Math.max(0.6, ((end - start) / range) * 100).toFixed(2)}%`);
    const kind = span.stepOp ? humanize(span.stepOp) : 'Step';
    const attempts = span.attempts != null
      ? `${span.attempts}${span.maxAttempts ? ` / ${span.maxAttempts}` : ''}` : '—';
    const details = h('details', { class: 'step', 'data-span-id': span.id, 'data-step-id': span.stepId || '' },
      h('summary', { class: 'step-row' },
        h('span', {}, statusBadge(span.status)),
        h('span', { class: 'step-name' },
          h('span', { class: 'ellipsis strong', title: span.name }, span.name),
          span.stepId && span.stepId !== span.name ? h('span', { class: 'ellipsis sub mono', title: span.stepId }, span.stepId) : null),
        h('span', { class: 'kind' }, kind, parallel ? [' ', h('span', {
          class: 'tag tag-parallel', title: `Ran at the same time as ${parallel.size - 1} other step${parallel.size === 2 ? '' : 's'}`,
        }, `∥ ${parallel.size}`)] : null),
        h('span', { class: 'num', title: 'Attempts made / allowed' }, h('span', { class: 'visually-hidden' }, 'Attempts: '), attempts),
        h('span', {}, timeEl(span.startedAt || span.queuedAt, { ms: true })),
        h('span', { class: 'num' }, span.endedAt ? duration(span.durationMs) : (span.startedAt ? [duration(Date.now() - start), '…'] : '—')),
        h('span', { class: 'track', 'aria-hidden': 'true' }, bar)),
      h('div', { class: 'step-body' }, stepBody(span)));
    if (span.status === 'FAILED' && !failedSeen.has(span.id)) {
      failedSeen.add(span.id);
      openSteps.add(span.id);
    }
    if (openSteps.has(span.id)) details.open = true;
    details.addEventListener('toggle', () => {
      if (details.open) openSteps.add(span.id); else openSteps.delete(span.id);
    });
    return h('li', parallel ? {
      class: `parallel${parallel.first ? ' parallel-first' : ''}${parallel.last ? ' parallel-last' : ''}`,
      'data-parallel-group': String(parallel.group),
    } : {}, details);
  }

  function stepBody(span) {
    const parts = [];
    if (span.wait) parts.push(h('p', { class: 'wait-line' }, waitSentence(span.wait)));
    if (span.error) parts.push(errorBox(span.error));
    parts.push(h('dl', { class: 'kv kv-inline' },
      kv('Step ID', h('span', { class: 'mono' }, span.stepId || '—')),
      kv('Queued', timeEl(span.queuedAt, { ms: true })),
      kv('Started', timeEl(span.startedAt, { ms: true })),
      kv('Ended', timeEl(span.endedAt, { ms: true }))));
    parts.push(h('h3', {}, 'Output'), outputView(span));
    const attempts = (span.children || []).filter((c) => c.spanType === 'ATTEMPT' || c.attempt != null);
    if (attempts.length) {
      parts.push(h('h3', {}, 'Attempts'), h('div', { class: 'table-wrap' }, h('table', { class: 'table compact attempts' },
        h('caption', { class: 'visually-hidden' }, `Attempts of step ${span.name}`),
        h('thead', {}, h('tr', {}, ['#', 'Status', 'Started', 'Duration', 'Error'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, attempts.map((a) => h('tr', {},
          h('td', {}, String(a.attempt ?? '')),
          h('td', {}, statusBadge(a.status)),
          h('td', {}, timeEl(a.startedAt || a.queuedAt, { ms: true })),
          h('td', {}, a.endedAt ? duration(a.durationMs) : '…'),
          h('td', { class: 'wrap' }, a.error ? `${a.error.name}: ${a.error.message}` : '—')))))));
    }
    return parts;
  }

  async function cancel() {
    if (busy) return;
    const ok = await confirmDialog({
      title: 'Cancel this run?',
      message: 'Its sleeps, event waits and pending retries are dropped, and the endpoint is not called again. This cannot be undone.',
      confirmLabel: 'Cancel run', cancelLabel: 'Keep running', danger: true,
    });
    if (!ok) return;
    busy = true;
    try {
      await api(`/runs/${seg(runId)}/cancel`, { method: 'POST' });
      toast('Run cancelled.');
    } catch (err) {
      toast(`Cancel failed: ${err.message}`, 'error');
    } finally {
      busy = false;
    }
    poller.now();
  }

  async function rerun() {
    if (busy) return;
    busy = true;
    try {
      const res = await api(`/runs/${seg(runId)}/rerun`, { method: 'POST' });
      toast('Rerun started.');
      window.location.hash = `#/runs/${seg(res.data.runId)}`;
    } catch (err) {
      toast(`Rerun failed: ${err.message}`, 'error');
    } finally {
      busy = false;
    }
  }

  const poller = poll(refresh, REFRESH_MS);
  return () => poller.stop();
}

/**
 * Steps that ran at the same time: consecutive steps (the trace lists them in start order) whose
 * spans, from queued (planned steps are queued together) to ended (or now), overlap. Returns span
 * ID -> {group, size, first, last} for the members of groups of two or more.
 */
function parallelGroups(steps) {
  const out = new Map();
  let members = [];
  let end = -Infinity;
  let group = 0;
  const close = () => {
    if (members.length > 1) {
      group += 1;
      members.forEach((s, i) => out.set(s.id, {
        group, size: members.length, first: i === 0, last: i === members.length - 1,
      }));
    }
    members = [];
  };
  for (const s of steps) {
    const start = Math.min(parseTime(s.queuedAt) ?? Infinity, parseTime(s.startedAt) ?? Infinity);
    const stop = parseTime(s.endedAt) ?? Date.now();
    if (members.length === 0 || !(start < end)) {
      close();
      end = -Infinity;
    }
    members.push(s);
    end = Math.max(end, stop);
  }
  close();
  return out;
}

function crumbs(id) {
  return [h('a', { href: '#/runs' }, 'Runs'), h('span', { 'aria-hidden': 'true' }, ' / '),
    h('span', { class: 'mono', 'aria-current': 'page' }, id)];
}

function kv(label, value) {
  return h('div', { class: 'kv-item' }, h('dt', {}, label), h('dd', {}, value));
}

function summary(r) {
  const fn = r.function || {};
  const appId = (r.app || {}).id || fn.app?.id;
  const fnRuns = `#/runs?appId=${encodeURIComponent(appId || '')}&functionId=${encodeURIComponent(fn.id || '')}`;
  const eventId = r.trigger && r.trigger.eventIds && r.trigger.eventIds[0];
  const running = !r.endedAt && r.startedAt;
  return h('section', { class: 'card', 'aria-label': 'Summary' }, h('dl', { class: 'kv kv-grid' },
    kv('Status', [statusBadge(r.status), (r.waits || []).length
      ? h('span', { class: 'sub' }, ' ', waitLabel(r.waits[0].reason)) : null]),
    kv('Function', h('a', { href: fnRuns, class: 'ellipsis', title: fn.id }, fn.name || fn.id || '—')),
    kv('App', h('span', { class: 'ellipsis', title: appId }, appId || '—')),
    kv('Request', h('span', { class: 'ellipsis mono', title: `${r.request?.method || ''} ${pathAndQuery(r.request)}` },
      `${r.request?.method || ''} ${pathAndQuery(r.request)}`)),
    kv('Queued', timeEl(r.queuedAt, { full: true, rel: true })),
    kv('Started', timeEl(r.startedAt, { full: true })),
    kv('Ended', timeEl(r.endedAt, { full: true })),
    kv('Duration', running ? h('span', { class: 'muted' }, `running for ${duration(Date.now() - Date.parse(r.startedAt))}`)
      : duration(r.durationMs)),
    kv('Steps', [String(r.stepCount ?? 0), r.failedAttemptCount
      ? h('span', { class: 'sub error-line' }, ` · ${r.failedAttemptCount} failed attempt${r.failedAttemptCount === 1 ? '' : 's'}`) : null]),
    r.stream ? kv('Streamed', streamCounts(r.stream)) : null,
    kv('Trigger event', eventId ? h('a', { href: `#/events/${encodeURIComponent(eventId)}`, class: 'mono' }, eventId) : '—'),
    r.originalRunId ? kv('Rerun of', h('a', { href: `#/runs/${encodeURIComponent(r.originalRunId)}`, class: 'mono' }, r.originalRunId)) : null));
}

// Chunks the relay saw (after the async switch); the sync phase's go straight to the caller.
function streamCounts(s) {
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return h('span', { class: 'stream-counts', title: 'Chunks relayed to realtime subscribers after the async switch' },
    plural(s.chunks, 'chunk'),
    h('span', { class: 'sub' }, ` · ${s.committed} committed`, s.rolledBack ? ` · ${s.rolledBack} rolled back` : null));
}

function waitCallout(waits) {
  return h('section', { class: 'callout callout-wait', 'aria-labelledby': 'wait-h' },
    h('p', { class: 'callout-title', id: 'wait-h' }, [...new Set(waits.map((w) => waitLabel(w.reason)))].join(' · ')),
    h('ul', { class: 'plain' }, waits.map((w) => h('li', { class: 'wait-reason', 'data-reason': w.reason }, waitSentence(w)))));
}

function runError(err) {
  return h('section', { class: 'callout callout-error', 'aria-labelledby': 'err-h' },
    h('p', { class: 'callout-title', id: 'err-h' }, 'The run failed'),
    errorBox(err));
}

function errorBox(err) {
  return h('div', { class: 'error-box' },
    h('p', { class: 'error-message' }, h('span', { class: 'mono strong' }, err.name || 'Error'), ': ', err.message || ''),
    err.stepId ? h('p', { class: 'sub' }, 'In step ', h('span', { class: 'mono' }, err.stepId)) : null,
    err.stack ? h('details', { class: 'stack' }, h('summary', {}, 'Stack trace'),
      h('pre', { class: 'code', tabindex: 0, 'aria-label': 'Stack trace' }, err.stack)) : null);
}

function outputView(span) {
  if (span.outputTruncated) {
    return [h('p', { class: 'note' }, `Output is ${bytes(span.outputSizeBytes)}, larger than the display limit; showing its start.`),
      h('pre', { class: 'code', tabindex: 0, 'aria-label': 'Output preview' }, span.outputPreview || '')];
  }
  if (span.output && typeof span.output === 'object' && 'data' in span.output) {
    return jsonBlock(span.output.data, `Output of ${span.name}`);
  }
  if (span.output != null) return jsonBlock(span.output, `Output of ${span.name}`);
  if (span.stepOp === 'SLEEP') return h('p', { class: 'muted' }, 'A sleep has no output.');
  if (span.status === 'FAILED') return h('p', { class: 'muted' }, 'No output: the step failed.');
  if (span.status === 'RUNNING' || span.status === 'WAITING') return h('p', { class: 'muted' }, 'No output yet.');
  return h('p', { class: 'muted' }, 'No output.');
}

function requestSection(req) {
  if (!req) return h('section', { class: 'card' }, h('h2', {}, 'Request'), emptyState('No request recorded.'));
  return h('section', { class: 'card', 'aria-labelledby': 'req-h' },
    h('h2', { id: 'req-h' }, 'Request'),
    h('p', { class: 'req-line' }, h('span', { class: 'method' }, req.method), ' ',
      h('span', { class: 'mono wrap-anywhere' }, req.url || `${req.domain || ''}${pathAndQuery(req)}`)),
    h('dl', { class: 'kv kv-inline' },
      kv('Content type', req.contentType || '—'),
      kv('Body size', req.bodySizeBytes == null ? 'not recorded' : bytes(req.bodySizeBytes))),
    h('h3', {}, 'Body'),
    bodyView(req.body, req.bodyEncoding, req.bodyTruncated, req.bodySizeBytes, 'Request body'));
}

function responseSection(r) {
  const res = r.result;
  let body;
  if (!res) {
    body = emptyState(isTerminal(r.status)
      ? (r.status === 'CANCELLED' ? 'The run was cancelled before it produced a response.'
        : 'The endpoint produced no response.')
      : 'No response yet: the run has not finished.');
  } else {
    const headers = Object.entries(res.headers || {});
    const cls = res.statusCode >= 500 ? 'http-5xx' : res.statusCode >= 400 ? 'http-4xx' : 'http-2xx';
    body = [h('p', { class: 'req-line' }, h('span', { class: `http-status ${cls}` }, String(res.statusCode))),
      h('h3', {}, 'Headers'),
      headers.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table compact headers' },
        h('caption', { class: 'visually-hidden' }, 'Response headers'),
        h('tbody', {}, headers.map(([k, v]) => h('tr', {}, h('th', { scope: 'row', class: 'mono' }, k),
          h('td', { class: 'mono wrap-anywhere' }, String(v)))))))
        : h('p', { class: 'muted' }, 'No headers recorded.'),
      h('h3', {}, 'Body'),
      bodyView(res.body, null, res.bodyTruncated, res.bodySizeBytes, 'Response body')];
  }
  return h('section', { class: 'card', 'aria-labelledby': 'res-h' }, h('h2', { id: 'res-h' }, 'Response'), body);
}

function bodyView(body, encoding, truncated, size, label) {
  if (body == null) {
    return h('p', { class: 'muted' }, size == null ? 'The body was not recorded.' : 'The body is not available.');
  }
  return [truncated ? h('p', { class: 'note' }, `Showing the first part of ${bytes(size)}.`) : null,
    encoding === 'BASE64' ? h('p', { class: 'note' }, 'Binary body, shown as base64.') : null,
    bodyBlock(body, label)];
}
