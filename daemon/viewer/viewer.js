// SPDX-License-Identifier: GPL-2.0
// viewer.js - polls this daemon's /api/v1/ documents at the chosen interval
// and draws them: Chart.js line charts, the top table, the on-demand
// profiler panels (shown only when /api/v1/methods says the method is
// available). Other machines come from /viewer/peers.json (the daemon's
// --peer options), never from the page: each is that daemon's own viewer in
// a frame, side by side.
'use strict';

const POINTS = 120;			// samples kept per chart (2 min at 1 s)
const api = (path) => fetch('/api/v1/' + path, { cache: 'no-store' }).then((r) =>
  r.json().then((doc) => {
    if (!r.ok)
      throw new Error(path + ': ' + ((doc.error && doc.error.message) || r.status));
    return doc;
  }));

const state = { timer: null, paused: false, sort: 'cpu', charts: {}, methods: {}, busy: false,
  drawn: false };

function $(id) { return document.getElementById(id); }

function status(text, err) {
  const s = $('status');
  s.textContent = text;
  s.className = err ? 'err' : '';
}

function fmtBytes(v) {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(v) >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return (i ? v.toFixed(1) : Math.round(v)) + ' ' + u[i];
}

// ------------------------------------------------------------ charts

// the page's colours, read once: each read of computed style recomputes it
function themeColours() {
  const style = getComputedStyle(document.documentElement);
  const get = (name) => style.getPropertyValue(name).trim() || '#888';
  return { fg: get('--fg'), line: get('--line') };
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1',
  '#ff9da7', '#9c755f', '#bab0ac'];

// one line chart; unit names the y axis, stacked fills the area under it
function chart(id, unit, theme, opts) {
  opts = opts || {};
  const fg = theme.fg, line = theme.line;
  const c = new Chart($(id), {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      normalized: true,
      interaction: { mode: 'index', intersect: false },
      elements: { point: { radius: 0 }, line: { borderWidth: 1.5 } },
      scales: {
        x: { title: { display: true, text: 'time', color: fg }, ticks: { color: fg,
          maxTicksLimit: 6 }, grid: { color: line } },
        y: { title: { display: true, text: unit, color: fg }, stacked: !!opts.stacked,
          beginAtZero: true, max: opts.max, grid: { color: line },
          ticks: { color: fg, callback: opts.bytes ? (v) => fmtBytes(v) : undefined } },
      },
      plugins: { legend: { labels: { color: fg, boxWidth: 12 } } },
    },
  });
  c.stacked = !!opts.stacked;
  state.charts[id] = c;
  return c;
}

// add one point per series (a map of name to value); series appear as they come
function push(id, label, values) {
  const c = state.charts[id];
  for (const [name, v] of Object.entries(values)) {
    let ds = c.data.datasets.find((d) => d.label === name);
    if (!ds) {
      const col = PALETTE[c.data.datasets.length % PALETTE.length];
      ds = { label: name, data: new Array(c.data.labels.length).fill(null), borderColor: col,
        backgroundColor: col + '80', fill: c.stacked };
      c.data.datasets.push(ds);
    }
    ds.data.push(v);
  }
  c.data.labels.push(label);
  for (const ds of c.data.datasets) {
    while (ds.data.length < c.data.labels.length)
      ds.data.push(null);
    while (ds.data.length > POINTS)
      ds.data.shift();
  }
  while (c.data.labels.length > POINTS)
    c.data.labels.shift();
  c.update('none');
}

function setupCharts() {
  const theme = themeColours();
  chart('c-cpu', '% of all CPUs', theme, { stacked: true, max: 100 });
  chart('c-cores', '% busy', theme, { max: 100 });
  chart('c-load', 'runnable tasks', theme);
  chart('c-mem', 'bytes', theme, { bytes: true, stacked: true });
  chart('c-io', 'bytes/s', theme, { bytes: true });
  chart('c-util', '% utilised', theme, { max: 100 });
  chart('c-irq', 'events/s', theme);
  chart('c-cs', 'switches/s', theme);
}

// ------------------------------------------------------------ refresh

function drawCpu(doc, t) {
  const p = doc.all.percent;
  push('c-cpu', t, { user: p.usr + p.nice, system: p.sys, iowait: p.iowait,
    'irq+softirq': p.irq + p.soft, steal: p.steal });
  const cores = {};
  for (const c of doc.cpus)
    cores['cpu' + c.cpu] = +(100 - c.percent.idle).toFixed(2);
  push('c-cores', t, cores);
  push('c-load', t, { '1 min': doc.load1, '5 min': doc.load5, '15 min': doc.load15 });
  push('c-irq', t, { interrupts: doc.interrupts_per_s, softirqs: doc.softirqs_per_s });
  push('c-cs', t, { 'context switches': doc.context_switches_per_s });
}

function drawMemory(doc, t) {
  const m = doc.meminfo || {};
  const cache = (m.Cached || 0) + (m.Buffers || 0);
  push('c-mem', t, { used: doc.used_bytes, 'cache+buffers': Math.min(cache, doc.available_bytes),
    free: Math.max(0, doc.total_bytes - doc.used_bytes - Math.min(cache, doc.available_bytes)) });
}

function drawIo(doc, t) {
  const bw = {}, util = {};
  for (const d of doc.devices) {
    bw[d.device + ' read'] = d.read_bytes_per_s;
    bw[d.device + ' write'] = d.write_bytes_per_s;
    util[d.device] = d.util_percent;
  }
  // a machine whose disks did no I/O still gets a point: the chart is live
  if (!doc.devices.length) {
    bw['all disks'] = 0;
    util['all disks'] = 0;
  }
  push('c-io', t, bw);
  push('c-util', t, util);
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls)
    td.className = cls;
  tr.appendChild(td);
}

function drawTop(doc) {
  const body = $('top').tBodies[0];
  const frag = document.createDocumentFragment();
  for (const r of doc.rows) {
    const tr = document.createElement('tr');
    tr.dataset.pid = r.pid;
    cell(tr, r.pid, 'num');
    cell(tr, r.user);
    cell(tr, r.cmd || r.comm, 'cmd');
    cell(tr, r.state);
    cell(tr, r.cpu_percent.toFixed(1), 'num');
    cell(tr, r.mem_percent.toFixed(1), 'num');
    cell(tr, (r.rss_bytes / 1048576).toFixed(1), 'num');
    cell(tr, r.read_bytes_per_s === undefined ? '-' : (r.read_bytes_per_s / 1024).toFixed(1), 'num');
    cell(tr, r.write_bytes_per_s === undefined ? '-' : (r.write_bytes_per_s / 1024).toFixed(1),
      'num');
    frag.appendChild(tr);
  }
  body.replaceChildren(frag);
}

async function refresh() {
  // a slow answer is not stacked under the next tick
  if (state.busy)
    return;
  state.busy = true;
  const t = new Date().toLocaleTimeString();
  try {
    const [cpu, mem, io, top] = await Promise.all([api('cpu'), api('memory'), api('io'),
      api('top?n=25&sort=' + state.sort)]);
    drawCpu(cpu, t);
    drawMemory(mem, t);
    drawIo(io, t);
    drawTop(top);
    // bench/viewer.py times the page up to its first data drawn
    if (!state.drawn) {
      state.drawn = true;
      performance.mark('viewer-first-data');
    }
    status('updated ' + t + (cpu.since_boot ? ' (rates since boot until the next sample)' : ''));
  } catch (e) {
    status('cannot update: ' + e.message, true);
  } finally {
    state.busy = false;
  }
}

function schedule() {
  clearInterval(state.timer);
  state.timer = null;
  if (!state.paused && !document.hidden)
    state.timer = setInterval(refresh, +$('interval').value);
}

// ------------------------------------------------------------ profiler panels

function runButton(btn, info, fn) {
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    info.textContent = 'running...';
    try {
      await fn();
    } catch (e) {
      info.textContent = 'failed: ' + e.message;
    } finally {
      btn.disabled = false;
    }
  });
}

function setupFlame() {
  const g = new Flame.Graph($('flame'), $('flame-info'));
  runButton($('flame-run'), $('flame-info'), async () => {
    // ProfProfile answers {"event", "samples", "flame": tree}; a bare tree is taken too
    const doc = await api('prof/profile?seconds=' + $('flame-secs').value);
    g.set(doc.flame || doc);
  });
  $('flame-search').addEventListener('input', (e) => g.search(e.target.value));
  $('flame-reset').addEventListener('click', () => g.reset());
  window.addEventListener('resize', () => g.draw());
}

// task-state answers a tree (an off-CPU flame graph) or rows per task and state
const OFFCPU_ROWS = 100;

function setupOffcpu() {
  const g = new Flame.Graph($('offcpu'), $('offcpu-info'));
  runButton($('offcpu-run'), $('offcpu-info'), async () => {
    const doc = await api('prof/task-state?seconds=2');
    if (doc.children) {
      $('offcpu-table').hidden = true;
      g.set(doc);
      return;
    }
    // every task x state of the machine: the longest in total first, the top OFFCPU_ROWS
    const all = (doc.rows || []).slice()
      .sort((a, b) => ((b.stats || {}).sum || 0) - ((a.stats || {}).sum || 0));
    const shown = all.slice(0, OFFCPU_ROWS);
    const frag = document.createDocumentFragment();
    for (const r of shown) {
      const s = r.stats || {};
      const tr = document.createElement('tr');
      cell(tr, r.pid !== undefined ? r.pid : r.tid, 'num');
      cell(tr, r.comm);
      cell(tr, r.state);
      cell(tr, s.count, 'num');
      cell(tr, ((s.sum || 0) / 1e6).toFixed(3), 'num');
      cell(tr, ((s.max || 0) / 1e6).toFixed(3), 'num');
      frag.appendChild(tr);
    }
    $('offcpu-table').tBodies[0].replaceChildren(frag);
    $('offcpu-table').hidden = false;
    $('offcpu-info').textContent = all.length + ' rows' + (all.length > shown.length
      ? ', the ' + shown.length + ' longest shown (' + (all.length - shown.length) + ' more)' : '');
  });
}

function setupSyscalls() {
  runButton($('syscalls-run'), $('syscalls-info'), async () => {
    const doc = await api('prof/syscalls?seconds=2');
    // the rate over the time the run really took, as its report says
    const secs = doc.interval || 2;
    const us = (ns) => (ns / 1000).toFixed(1);
    const rows = (doc.rows || []).slice().sort((a, b) => b.calls - a.calls);
    const frag = document.createDocumentFragment();
    for (const r of rows) {
      const tr = document.createElement('tr');
      const lat = r.latency || {};
      cell(tr, r.syscall);
      cell(tr, r.calls, 'num');
      cell(tr, (r.calls / secs).toFixed(1), 'num');
      cell(tr, r.errors, 'num');
      cell(tr, us(lat.p50 || 0), 'num');
      cell(tr, us(lat.p99 || 0), 'num');
      cell(tr, us(lat.max || 0), 'num');
      cell(tr, (r.errnos || []).map((e) => e.name + ':' + e.count).join(' '));
      frag.appendChild(tr);
    }
    $('syscalls').tBodies[0].replaceChildren(frag);
    $('syscalls-info').textContent = rows.length + ' system calls over ' + secs.toFixed(2) + ' s';
  });
}

// the latency heatmap: multi-trace's log2 histogram of each 500 ms interval, a
// column each, a row per power of two; darker is more pairs
const LAT_LEFT = 70;	// px for the bucket labels

function fmtNs(ns) {
  return ns >= 1e9 ? (ns / 1e9).toFixed(1) + ' s' : ns >= 1e6 ? (ns / 1e6).toFixed(1) + ' ms'
    : ns >= 1e3 ? (ns / 1e3).toFixed(1) + ' us' : ns + ' ns';
}

function drawLatency(cv, reports) {
  const cells = [];		// [column, lo, hi, count]
  reports.forEach((r, x) => {
    for (const row of r.rows || [])
      for (const h of (row.stats || {}).hist || [])
        cells.push([x, h.lo, h.hi, h.count]);
  });
  // one bucket of each (interval, lo): the rows of one interval add up
  const sum = new Map();
  for (const [x, lo, hi, n] of cells) {
    const k = x + ':' + lo;
    const c = sum.get(k) || [x, lo, hi, 0];
    c[3] += n;
    sum.set(k, c);
  }
  const drawn = [...sum.values()];
  const ctx = cv.getContext('2d');
  const W = cv.width, H = cv.height, style = getComputedStyle(document.body);
  ctx.clearRect(0, 0, W, H);
  cv.dataset.cells = JSON.stringify(drawn);
  cv.layout = null;
  if (!drawn.length)
    return drawn;
  const exp = (lo) => (lo > 0 ? Math.round(Math.log2(lo)) : 0);
  const ymin = Math.min(...drawn.map((c) => exp(c[1]))), ymax = Math.max(...drawn.map((c) => exp(c[1])));
  const rows = ymax - ymin + 1, cols = reports.length;
  const cw = (W - LAT_LEFT) / cols, ch = H / rows;
  const top = Math.max(...drawn.map((c) => c[3]));
  ctx.font = '11px monospace';
  ctx.fillStyle = style.color;
  ctx.textBaseline = 'middle';
  for (let y = ymin; y <= ymax; y++)
    ctx.fillText(fmtNs(2 ** y), 2, H - (y - ymin + 0.5) * ch);
  for (const [x, lo, , n] of drawn) {
    // log scale: one pair is visible next to thousands
    const f = Math.log1p(n) / Math.log1p(top);
    ctx.fillStyle = 'hsl(18, 90%, ' + (88 - 58 * f).toFixed(1) + '%)';
    ctx.fillRect(LAT_LEFT + x * cw, H - (exp(lo) - ymin + 1) * ch, Math.max(cw - 1, 1), Math.max(ch - 1, 1));
  }
  cv.layout = { ymin, rows, cols, cw, ch, sum };
  return drawn;
}

function setupLatency() {
  const cv = $('latency');
  let reports = [];
  runButton($('lat-run'), $('lat-info'), async () => {
    const q = 'prof/multi-trace?seconds=5&interval_ms=500&begin=' +
      encodeURIComponent($('lat-begin').value.trim()) + '&end=' + encodeURIComponent($('lat-end').value.trim());
    const doc = await api(q);
    reports = (doc.reports || []).filter((r) => r.report === 'interval');
    // a run that ended inside its first interval has its final report only
    if (!reports.length)
      reports = (doc.reports || []).filter((r) => r.report === 'final');
    const drawn = drawLatency(cv, reports);
    const pairs = drawn.reduce((a, c) => a + c[3], 0);
    $('lat-info').textContent = pairs + ' pairs in ' + reports.length + ' intervals of ' +
      doc.interval_ms + ' ms, ' + doc.begin + ' to ' + doc.end;
  });
  cv.addEventListener('mousemove', (e) => {
    const L = cv.layout;
    if (!L)
      return;
    const r = cv.getBoundingClientRect();
    const px = (e.clientX - r.left) * cv.width / r.width, py = (e.clientY - r.top) * cv.height / r.height;
    const x = Math.floor((px - LAT_LEFT) / L.cw), y = L.ymin + L.rows - 1 - Math.floor(py / L.ch);
    const c = L.sum.get(x + ':' + 2 ** y) || (y === 0 ? L.sum.get(x + ':0') : null);
    cv.title = c ? 'interval ' + (x + 1) + ': ' + fmtNs(c[1]) + ' to ' + fmtNs(c[2] + 1) + ', ' + c[3] +
      ' pairs' : '';
  });
}

// a panel shows only when this daemon offers its method
async function setupPanels() {
  const doc = await api('methods');
  for (const m of doc.methods)
    state.methods[m.name] = m.available;
  const panels = [['ProfProfile', 'flame-panel', setupFlame],
    ['ProfTaskState', 'offcpu-panel', setupOffcpu], ['ProfSyscalls', 'syscalls-panel', setupSyscalls],
    ['ProfMultiTrace', 'latency-panel', setupLatency]];
  for (const [name, id, setup] of panels) {
    if (!state.methods[name])
      continue;
    $(id).hidden = false;
    setup();
  }
}

// ------------------------------------------------------------ machines

async function setupMachines() {
  const doc = await fetch('/viewer/peers.json', { cache: 'no-store' }).then((r) => r.json());
  if (!doc.peers.length)
    return;
  const nav = $('machines');
  const show = (grid) => {
    $('single').hidden = grid;
    $('grid').hidden = !grid;
    nav.querySelectorAll('button').forEach((b, i) =>
      b.setAttribute('aria-pressed', String((i === 1) === grid)));
    if (grid && !$('grid').children.length) {
      for (const addr of [location.host].concat(doc.peers)) {
        const box = document.createElement('div');
        const h = document.createElement('h2');
        h.textContent = addr;
        const f = document.createElement('iframe');
        f.title = 'perf-prof viewer of ' + addr;
        f.src = 'http://' + addr + '/?embed=1';
        box.append(h, f);
        $('grid').appendChild(box);
      }
    }
  };
  for (const [text, grid] of [['this machine', false], ['side by side (' + (doc.peers.length + 1) +
    ')', true]]) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.addEventListener('click', () => show(grid));
    nav.appendChild(b);
  }
  nav.hidden = false;
  show(false);
}

// ------------------------------------------------------------ start

function setupControls() {
  $('interval').addEventListener('change', schedule);
  $('pause').addEventListener('click', () => {
    state.paused = !state.paused;
    $('pause').textContent = state.paused ? 'resume' : 'pause';
    $('pause').setAttribute('aria-pressed', String(state.paused));
    schedule();
  });
  // a hidden tab costs the daemon nothing
  document.addEventListener('visibilitychange', schedule);
  for (const th of $('top').tHead.querySelectorAll('th[data-sort]')) {
    th.addEventListener('click', () => {
      state.sort = th.dataset.sort;
      $('top').tHead.querySelectorAll('th').forEach((x) => x.classList.toggle('sorted', x === th));
      refresh();
    });
    th.classList.toggle('sorted', th.dataset.sort === state.sort);
  }
  const q = new URLSearchParams(location.search);
  if (q.get('interval') && $('interval').querySelector('option[value="' + (+q.get('interval')) + '"]'))
    $('interval').value = String(+q.get('interval'));
  $('host').textContent = location.host;
  document.title = 'perf-prof ' + location.host;
}

async function start() {
  setupCharts();
  setupControls();
  schedule();
  await refresh();
  try {
    await setupPanels();
    if (!new URLSearchParams(location.search).has('embed'))
      await setupMachines();
  } catch (e) {
    status('cannot read the method list: ' + e.message, true);
  }
}

start();
