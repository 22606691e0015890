// The interactive HTML page's fixed parts: its template, style sheet and script. The script and
// the style sheet are constant (the run's data sits in two non-executed <script> blocks), so the
// page's Content-Security-Policy allows exactly them by their SHA-256 hashes. Used only by
// html_export.cpp.
#pragma once

namespace attnscope {

// @CSP@, @TITLE@, @STYLE@, @META@, @WEIGHTS@ and @SCRIPT@ are filled in by interactiveHtml().
inline constexpr const char* kHtmlPageTemplate = R"PAGE(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@CSP@">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="AttnScope">
<title>@TITLE@</title>
<style>@STYLE@</style>
</head>
<body>
<header>
<h1 id="model"></h1>
<p id="description"></p>
<dl id="run"></dl>
<div class="controls">
<label id="stack-label">stack <select id="stack"></select></label>
<label><input type="checkbox" id="log"> log scale</label>
<span id="colormap"></span>
</div>
<p id="status">Reading the embedded weights&hellip;</p>
<noscript><p class="error">This page draws its views with JavaScript; enable it to see them.</p></noscript>
</header>
<main>
<section id="overview-box">
<h2>Overview: layers &times; heads</h2>
<p class="hint">Click a head to focus it.</p>
<div id="overview"></div>
</section>
<section id="head-box">
<h2 id="head-title"></h2>
<div id="head-wrap"><canvas id="head"></canvas><div id="tooltip" role="tooltip"></div></div>
<p id="mask-legend" class="hint"></p>
</section>
<section id="align-box">
<h2 id="align-title"></h2>
<p class="hint">Keys on the left, queries on the right; a line's opacity is the weight. Hover a token to isolate its lines.
<label><input type="checkbox" id="all-heads"> every head of the layer</label></p>
<div id="align-legend"></div>
<canvas id="align"></canvas>
<p id="align-status" class="hint"></p>
</section>
</main>
<footer id="footer"></footer>
<script type="application/json" id="attnscope-meta">@META@</script>
<script type="application/octet-stream" id="attnscope-weights">@WEIGHTS@</script>
<script>@SCRIPT@</script>
</body>
</html>
)PAGE";

inline constexpr const char* kHtmlPageStyle = R"CSS(
:root { color-scheme: light; --text: #202124; --muted: #5f6368; --line: #dadce0; --accent: #1a73e8; }
body { font: 14px/1.45 system-ui, "DejaVu Sans", sans-serif; color: var(--text); background: #fff; margin: 0; }
header, main, footer { padding: 0 20px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 8px; }
h1 { font-size: 20px; margin: 12px 0 2px; }
h2 { font-size: 15px; margin: 10px 0 4px; }
#description { color: var(--muted); margin: 0 0 6px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
dt { color: var(--muted); }
dd { margin: 0; font-family: "DejaVu Sans Mono", monospace; white-space: pre-wrap; word-break: break-word; }
.controls { display: flex; gap: 18px; align-items: center; flex-wrap: wrap; }
.hint { color: var(--muted); font-size: 12px; margin: 2px 0 6px; }
.error { color: #b00020; font-weight: 600; }
#status { margin: 4px 0 0; color: var(--muted); }
main { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
#overview-box { flex: 0 0 auto; }
#head-box { flex: 0 1 auto; min-width: 0; }
#align-box { flex: 1 1 100%; }
#overview { display: grid; gap: 3px; align-items: center; justify-items: center; font-size: 11px; color: var(--muted); }
#overview canvas { cursor: pointer; border: 2px solid transparent; image-rendering: pixelated; }
#overview canvas:hover { border-color: var(--line); }
#overview canvas.selected { border-color: var(--accent); }
#head-wrap { position: relative; display: inline-block; }
#head { display: block; }
#tooltip { position: absolute; pointer-events: none; background: #ffffe1; border: 1px solid #767676; padding: 2px 6px;
  font-size: 12px; white-space: pre; display: none; z-index: 2; box-shadow: 1px 1px 3px rgba(0,0,0,.2); }
#tooltip.visible { display: block; }
#align-legend { display: flex; gap: 10px; flex-wrap: wrap; font-size: 12px; margin-bottom: 4px; }
#align { display: block; }
footer { color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); margin-top: 16px; padding-top: 6px; padding-bottom: 12px; }
)CSS";

inline constexpr const char* kHtmlPageScript = R"JS(
'use strict';
(async function () {
  const $ = (id) => document.getElementById(id);
  const meta = JSON.parse($('attnscope-meta').textContent);
  const status = $('status');
  const HEAD_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const MASKED = '#909090', HATCH = '#6b6b6b', TEXT = '#202124', FONT = '11px system-ui, "DejaVu Sans", sans-serif';
  const rgb = meta.colormap.colors.map((h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)]);
  const state = { stack: 0, layer: 0, head: 0, log: false, allHeads: false, hover: null, isolate: null };
  const clampInt = (v, hi) => Math.max(0, Math.min(hi, Math.trunc(+v || 0)));
  if (meta.initial) {
    state.stack = clampInt(meta.initial.stack, meta.stacks.length - 1);
    const s0 = meta.stacks[state.stack];
    state.layer = clampInt(meta.initial.layer, s0.layers - 1);
    state.head = clampInt(meta.initial.head, s0.heads + (s0.mean ? 1 : 0) - 1);
    state.log = !!meta.initial.log;
  }
  const cellImages = new Map();

  function fail(message) {
    status.textContent = message;
    status.className = 'error';
    document.body.dataset.ready = 'error';
  }

  // The weights: q = round(w * 1000) as a low-byte plane then a high-byte plane, deflated, base64.
  let values;
  try {
    if (typeof DecompressionStream === 'undefined')
      throw new Error('this browser has no DecompressionStream (Chrome 80, Firefox 113, Safari 16.4 and later have it)');
    const text = atob($('attnscope-weights').textContent.trim());
    const packed = new Uint8Array(text.length);
    for (let k = 0; k < text.length; ++k) packed[k] = text.charCodeAt(k);
    const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('deflate'));
    const planes = new Uint8Array(await new Response(stream).arrayBuffer());
    const n = meta.values;
    if (planes.length !== 2 * n) throw new Error('expected ' + n + ' values, found ' + planes.length / 2);
    values = new Uint16Array(n);
    for (let k = 0; k < n; ++k) values[k] = planes[k] | (planes[n + k] << 8);
  } catch (e) {
    fail('Cannot read the embedded weights: ' + e.message);
    return;
  }

  const stackOf = () => meta.stacks[state.stack];
  const stored = (s) => s.heads + (s.mean ? 1 : 0);
  const isMean = (s, head) => s.mean && head === s.heads;
  const isMasked = (s, i, j) => s.causal && j > i;
  const headBase = (s, layer, head) => s.offset + (layer * stored(s) + head) * s.per_head;
  // Stored integer of cell (i, j): rows of the lower triangle (j <= i) are packed one after the other.
  function quantum(s, base, i, j) {
    return s.packing === 'lower' ? values[base + (i * (i + 1)) / 2 + j] : values[base + i * s.tk + j];
  }
  function weight(stack, layer, head, i, j) {
    const s = meta.stacks[stack];
    return isMasked(s, i, j) ? null : quantum(s, headBase(s, layer, head), i, j) / meta.scale;
  }
  const fmt = (q) => (q / meta.scale).toFixed(3);
  // The app's colour lookup (QCPColorGradient): level = trunc(t * (levels - 1)), t linear in the
  // weight or, on the log scale, in ln(w / floor) / ln(1 / floor) with w raised to the floor.
  function colorOf(w) {
    let t = w;
    if (state.log) {
      const f = meta.log_floor;
      t = Math.log(Math.max(w, f) / f) / Math.log(1 / f);
    }
    return rgb[Math.min(rgb.length - 1, Math.max(0, Math.trunc(t * (rgb.length - 1))))];
  }
  const headName = (s, head) => (isMean(s, head) ? 'mean of heads' : 'head ' + head);

  // One pixel per cell; drawn scaled with smoothing off. Masked cells grey (hatched on top in the head view).
  function cellImage(s, layer, head) {
    const key = [state.stack, layer, head, state.log].join('/');
    if (cellImages.has(key)) return cellImages.get(key);
    const c = document.createElement('canvas');
    c.width = s.tk;
    c.height = s.tq;
    const g = c.getContext('2d');
    const img = g.createImageData(s.tk, s.tq);
    const base = headBase(s, layer, head);
    const grey = [0x90, 0x90, 0x90];
    for (let i = 0; i < s.tq; ++i)
      for (let j = 0; j < s.tk; ++j) {
        const col = isMasked(s, i, j) ? grey : colorOf(quantum(s, base, i, j) / meta.scale);
        const p = 4 * (i * s.tk + j);
        img.data[p] = col[0];
        img.data[p + 1] = col[1];
        img.data[p + 2] = col[2];
        img.data[p + 3] = 255;
      }
    g.putImageData(img, 0, 0);
    cellImages.set(key, c);
    return c;
  }

  function setupCanvas(canvas, width, height) {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.ceil(width * ratio);
    canvas.height = Math.ceil(height * ratio);
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = FONT;
    return g;
  }

  function widest(g, labels, cap) {
    let w = 0;
    for (const l of labels) w = Math.max(w, g.measureText(l).width);
    return Math.min(cap, Math.ceil(w));
  }
  function fitText(g, text, width) {
    if (g.measureText(text).width <= width) return text;
    let t = text;
    while (t.length > 1 && g.measureText(t + '\u2026').width > width) t = t.slice(0, -1);
    return t + '\u2026';
  }
  // Every token at step 1; else every step-th, prefixed with its position ("12:th") as in the app.
  const tickLabel = (labels, i, step) => (step === 1 ? labels[i] : i + ':' + labels[i]);

  // ---- overview ----
  function drawOverview() {
    const s = stackOf();
    const box = $('overview');
    box.replaceChildren();
    const n = stored(s);
    box.style.gridTemplateColumns = 'max-content repeat(' + n + ', max-content)';
    const side = Math.max(24, Math.min(64, Math.floor(560 / n)));
    const big = Math.max(s.tq, s.tk);
    const w = Math.max(4, Math.round((side * s.tk) / big)), h = Math.max(4, Math.round((side * s.tq) / big));
    box.appendChild(document.createElement('span'));
    for (let head = 0; head < n; ++head) {
      const t = document.createElement('span');
      t.textContent = isMean(s, head) ? 'mean' : 'H' + head;
      box.appendChild(t);
    }
    for (let layer = 0; layer < s.layers; ++layer) {
      const t = document.createElement('span');
      t.textContent = 'L' + layer;
      box.appendChild(t);
      for (let head = 0; head < n; ++head) {
        const c = document.createElement('canvas');
        const g = setupCanvas(c, w, h);
        g.imageSmoothingEnabled = false;
        g.drawImage(cellImage(s, layer, head), 0, 0, w, h);
        c.title = s.title + ' \u00b7 layer ' + layer + ' \u00b7 ' + headName(s, head);
        c.dataset.layer = layer;
        c.dataset.head = head;
        if (layer === state.layer && head === state.head) c.classList.add('selected');
        c.addEventListener('click', () => focusHead(layer, head));
        box.appendChild(c);
      }
    }
  }

  function focusHead(layer, head) {
    state.layer = layer;
    state.head = head;
    state.hover = null;
    state.isolate = null;
    for (const c of $('overview').querySelectorAll('canvas'))
      c.classList.toggle('selected', +c.dataset.layer === layer && +c.dataset.head === head);
    drawHead();
    drawAlign();
  }

  // ---- head view ----
  const headCanvas = $('head');
  const tooltip = $('tooltip');
  let geo = null;
  function drawHead() {
    const s = stackOf();
    $('head-title').textContent = s.title + ' \u00b7 layer ' + state.layer + ' \u00b7 ' + headName(s, state.head);
    const probe = headCanvas.getContext('2d');
    probe.font = FONT;
    // Cell size from the room a first guess of the label margins leaves; the margins then fit
    // the labels as thinned at that size.
    const guess = widest(probe, s.query_labels, 150) + 10;
    // Beside the overview when at least 300 px of cells fit there, else below it, across the
    // page's width (main is a wrapping flex box).
    const avail = document.documentElement.clientWidth - 40;
    const beside = avail - $('overview-box').offsetWidth - 28 - guess - 100;
    const room = Math.max(200, Math.min(720, beside >= 300 ? beside : avail - guess - 100));
    const cell = Math.max(2, Math.min(36, room / Math.max(s.tq, s.tk)));
    const labelStep = Math.max(1, Math.ceil(12 / cell));
    const ticks = (labels) => labels.map((l, i) => tickLabel(labels, i, labelStep));
    const left = widest(probe, ticks(s.query_labels), 150) + 10;
    const bottom = widest(probe, ticks(s.key_labels), 110) + 12;
    const top = 18, plotW = cell * s.tk, plotH = cell * s.tq;
    const width = left + plotW + 90, height = top + plotH + bottom;
    const g = setupCanvas(headCanvas, width, height);
    geo = { left, top, cell, plotW, plotH };
    headCanvas.dataset.left = left;
    headCanvas.dataset.top = top;
    headCanvas.dataset.cell = cell;
    g.imageSmoothingEnabled = false;
    g.drawImage(cellImage(s, state.layer, state.head), left, top, plotW, plotH);
    if (s.causal) {
      // Future keys: one hatched grey region, never read as weight 0.
      g.save();
      g.beginPath();
      for (let i = 0; i < s.tq; ++i)
        if (i + 1 < s.tk) g.rect(left + (i + 1) * cell, top + i * cell, (s.tk - i - 1) * cell, cell);
      g.clip();
      g.fillStyle = MASKED;
      g.fillRect(left, top, plotW, plotH);
      g.strokeStyle = HATCH;
      g.lineWidth = 1;
      g.beginPath();
      for (let d = -plotH; d < plotW; d += 8) {
        g.moveTo(left + d, top + plotH);
        g.lineTo(left + d + plotH, top);
      }
      g.stroke();
      g.restore();
      $('mask-legend').textContent = 'Hatched grey: masked future keys (causal mask), not a weight of 0.';
    } else $('mask-legend').textContent = '';
    // Labels, thinned to what fits.
    g.fillStyle = TEXT;
    g.textBaseline = 'middle';
    g.textAlign = 'right';
    const qStep = labelStep, kStep = labelStep;
    for (let i = 0; i < s.tq; i += qStep)
      g.fillText(fitText(g, tickLabel(s.query_labels, i, qStep), left - 10), left - 4, top + (i + 0.5) * cell);
    for (let j = 0; j < s.tk; j += kStep) {
      g.save();
      g.translate(left + (j + 0.5) * cell, top + plotH + 4);
      g.rotate(-Math.PI / 2);
      g.fillText(fitText(g, tickLabel(s.key_labels, j, kStep), bottom - 12), 0, 0);
      g.restore();
    }
    g.textAlign = 'left';
    g.textBaseline = 'alphabetic';
    g.fillStyle = '#5f6368';
    g.fillText(s.query_axis + ' \u2193   key \u2192', 2, 12);
    // Colour bar with the colour map's levels.
    const bx = left + plotW + 16, bw = 14;
    for (let y = 0; y < plotH; ++y) {
      const t = 1 - y / Math.max(1, plotH - 1);
      const col = rgb[Math.min(rgb.length - 1, Math.trunc(t * (rgb.length - 1)))];
      g.fillStyle = 'rgb(' + col.join(',') + ')';
      g.fillRect(bx, top + y, bw, 1.5);
    }
    g.strokeStyle = '#767676';
    g.strokeRect(bx, top, bw, plotH);
    g.fillStyle = TEXT;
    g.textBaseline = 'middle';
    const barTicks = state.log ? [1, 0.1, 0.01, meta.log_floor] : [1, 0.75, 0.5, 0.25, 0];
    for (const v of barTicks) {
      const t = state.log ? Math.log(v / meta.log_floor) / Math.log(1 / meta.log_floor) : v;
      g.fillText(state.log ? String(v) : v.toFixed(2), bx + bw + 4, top + (1 - t) * plotH);
    }
    if (state.hover) {
      g.strokeStyle = '#ffffff';
      g.lineWidth = 2;
      g.strokeRect(left + state.hover.j * cell, top + state.hover.i * cell, cell, cell);
    }
  }

  headCanvas.addEventListener('mousemove', (e) => {
    const s = stackOf();
    const r = headCanvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    const i = Math.floor((y - geo.top) / geo.cell), j = Math.floor((x - geo.left) / geo.cell);
    if (i < 0 || j < 0 || i >= s.tq || j >= s.tk) {
      hideTooltip();
      return;
    }
    const q = s.query_labels[i], k = s.key_labels[j];
    const masked = isMasked(s, i, j);
    const value = masked ? '' : fmt(quantum(s, headBase(s, state.layer, state.head), i, j));
    tooltip.textContent = q + ' \u2192 ' + k + ': ' + (masked ? 'masked (future key)' : value) + '\nquery ' + i + ', key ' + j;
    tooltip.dataset.query = i;
    tooltip.dataset.key = j;
    tooltip.dataset.value = value;
    tooltip.classList.add('visible');
    tooltip.style.left = Math.min(x + 14, geo.left + geo.plotW) + 'px';
    tooltip.style.top = y + 16 + 'px';
    if (!state.hover || state.hover.i !== i || state.hover.j !== j) {
      state.hover = { i, j };
      drawHead();
    }
  });
  function hideTooltip() {
    tooltip.classList.remove('visible');
    tooltip.dataset.value = '';
    if (state.hover) {
      state.hover = null;
      drawHead();
    }
  }
  headCanvas.addEventListener('mouseleave', hideTooltip);

  // ---- alignment ----
  const alignCanvas = $('align');
  let alignGeo = null;
  function lineSets(s) {
    if (state.allHeads) {
      const sets = [];
      for (let h = 0; h < s.heads; ++h) sets.push({ head: h, color: HEAD_COLORS[h % 10] });
      return sets;
    }
    return [{ head: state.head, color: isMean(s, state.head) ? TEXT : HEAD_COLORS[state.head % 10] }];
  }
  function drawAlign() {
    const s = stackOf();
    $('align-title').textContent =
      'Alignment: ' + s.title + ' \u00b7 layer ' + state.layer + (state.allHeads ? ' \u00b7 every head' : ' \u00b7 ' + headName(s, state.head));
    const sets = lineSets(s);
    const legend = $('align-legend');
    legend.replaceChildren();
    for (const set of sets) {
      const chip = document.createElement('span');
      chip.textContent = '\u25a0 ' + headName(s, set.head);
      chip.style.color = set.color;
      legend.appendChild(chip);
    }
    const probe = alignCanvas.getContext('2d');
    probe.font = FONT;
    const n = Math.max(s.tq, s.tk);
    const rowH = Math.max(3, Math.min(18, 640 / n));
    const step = rowH >= 12 ? 1 : Math.ceil(12 / rowH);
    const lw = widest(probe, s.key_labels.map((l, i) => i + ':' + l), 150) + 8;
    const rw = widest(probe, s.query_labels.map((l, i) => i + ':' + l), 150) + 8;
    const span = 320, top = 6;
    const leftX = lw + 6, rightX = leftX + span;
    const width = rightX + rw + 6, height = top + rowH * n + 6;
    const g = setupCanvas(alignCanvas, width, height);
    alignGeo = { top, rowH, leftX, rightX };
    const yKey = (j) => top + (j + 0.5) * rowH * (n / s.tk);
    const yQuery = (i) => top + (i + 0.5) * rowH * (n / s.tq);
    alignGeo.keyRow = rowH * (n / s.tk);
    alignGeo.queryRow = rowH * (n / s.tq);
    const iso = state.isolate;
    let lines = 0, best = null;
    g.lineWidth = Math.max(1, Math.min(2.5, rowH / 6));
    for (const set of sets) {
      g.strokeStyle = set.color;
      const base = headBase(s, state.layer, set.head);
      for (let i = 0; i < s.tq; ++i) {
        if (iso && iso.side === 'query' && iso.index !== i) continue;
        for (let j = 0; j < s.tk; ++j) {
          if (iso && iso.side === 'key' && iso.index !== j) continue;
          if (isMasked(s, i, j)) continue;
          const q = quantum(s, base, i, j);
          if (q < 5) continue; // below 0.005: invisible
          g.globalAlpha = q / meta.scale;
          g.beginPath();
          g.moveTo(leftX, yKey(j));
          g.lineTo(rightX, yQuery(i));
          g.stroke();
          ++lines;
          if (!best || q > best.q) best = { q, i, j, head: set.head };
        }
      }
    }
    g.globalAlpha = 1;
    g.textBaseline = 'middle';
    const label = (labels, i, isHot) => {
      g.font = isHot ? 'bold ' + FONT : FONT;
      g.fillStyle = isHot ? '#1a73e8' : TEXT;
      return tickLabel(labels, i, step);
    };
    g.textAlign = 'right';
    for (let j = 0; j < s.tk; ++j) {
      const hot = iso && iso.side === 'key' && iso.index === j;
      if (j % step && !hot) continue;
      g.fillText(fitText(g, label(s.key_labels, j, hot), lw), leftX - 6, yKey(j));
    }
    g.textAlign = 'left';
    for (let i = 0; i < s.tq; ++i) {
      const hot = iso && iso.side === 'query' && iso.index === i;
      if (i % step && !hot) continue;
      g.fillText(fitText(g, label(s.query_labels, i, hot), rw), rightX + 6, yQuery(i));
    }
    alignCanvas.dataset.lines = lines;
    alignCanvas.dataset.isolated = iso ? iso.side + ':' + iso.index : '';
    alignCanvas.dataset.leftX = leftX;
    alignCanvas.dataset.rightX = rightX;
    alignCanvas.dataset.top = top;
    alignCanvas.dataset.keyRow = alignGeo.keyRow;
    alignCanvas.dataset.queryRow = alignGeo.queryRow;
    let text = lines + ' lines of weight \u2265 0.005';
    if (iso) {
      const labels = iso.side === 'key' ? s.key_labels : s.query_labels;
      text = iso.side + ' ' + iso.index + ' \u201c' + labels[iso.index] + '\u201d: ' + text;
      if (best)
        text += '; strongest ' + s.query_labels[best.i] + ' \u2192 ' + s.key_labels[best.j] + ' ' + fmt(best.q) +
          (state.allHeads ? ' (head ' + best.head + ')' : '');
    }
    $('align-status').textContent = text;
  }
  alignCanvas.addEventListener('mousemove', (e) => {
    const s = stackOf();
    const r = alignCanvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top - alignGeo.top;
    let iso = null;
    if (x < alignGeo.leftX) {
      const j = Math.floor(y / alignGeo.keyRow);
      if (j >= 0 && j < s.tk) iso = { side: 'key', index: j };
    } else if (x > alignGeo.rightX) {
      const i = Math.floor(y / alignGeo.queryRow);
      if (i >= 0 && i < s.tq) iso = { side: 'query', index: i };
    }
    const same = (a, b) => (!a && !b) || (a && b && a.side === b.side && a.index === b.index);
    if (!same(iso, state.isolate)) {
      state.isolate = iso;
      drawAlign();
    }
  });
  alignCanvas.addEventListener('mouseleave', () => {
    if (state.isolate) {
      state.isolate = null;
      drawAlign();
    }
  });

  // ---- page ----
  $('model').textContent = meta.model;
  document.title = 'AttnScope \u00b7 ' + meta.model;
  $('description').textContent = meta.description;
  const run = $('run');
  const row = (name, value) => {
    if (!value) return;
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dd.id = 'run-' + name;
    run.append(dt, dd);
  };
  row('architecture', meta.architecture);
  row('input', meta.input);
  row('target', meta.target);
  row('output', meta.output);
  for (const w of meta.warnings) row('warning', w);
  $('colormap').textContent = 'colour map: ' + meta.colormap.name;
  const select = $('stack');
  meta.stacks.forEach((s, k) => {
    const o = document.createElement('option');
    o.value = k;
    o.textContent = s.title;
    select.appendChild(o);
  });
  select.value = state.stack;
  $('log').checked = state.log;
  if (meta.stacks.length < 2) $('stack-label').hidden = true;
  select.addEventListener('change', () => {
    state.stack = +select.value;
    const s = stackOf();
    state.layer = Math.min(state.layer, s.layers - 1);
    state.head = Math.min(state.head, stored(s) - 1);
    state.hover = null;
    state.isolate = null;
    render();
  });
  $('log').addEventListener('change', (e) => {
    state.log = e.target.checked;
    render();
  });
  $('all-heads').addEventListener('change', (e) => {
    state.allHeads = e.target.checked;
    state.isolate = null;
    drawAlign();
  });
  $('footer').textContent = meta.generator + ' \u00b7 interactive export, works offline \u00b7 weights stored to 3 decimals (' +
    meta.values.toLocaleString('en') + ' values)';
  function render() {
    drawOverview();
    drawHead();
    drawAlign();
  }
  window.addEventListener('resize', () => drawHead());
  window.attnscope = { meta, weight };
  render();
  status.textContent = '';
  document.body.dataset.ready = '1';
})();
)JS";

} // namespace attnscope
