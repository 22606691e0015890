#!/usr/bin/env node
// Opens AttnScope's interactive HTML export in headless Chromium and checks what a user sees:
// hovering head-view cells shows core's weight to 3 decimals (from `attnscope-cli run`, the
// engine's trace), masked cells say so, the overview focuses heads, the stack switch works,
// hovering an alignment token isolates its lines, and the page makes no network request (a fetch
// is refused by its Content-Security-Policy). Saves a screenshot. Run by scripts/check_html_export.sh:
//   node check.js CLI SOURCE_DIR OUT_DIR SCREENSHOT.png
'use strict';
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const [cli, sourceDir, outDir, screenshot] = process.argv.slice(2);
if (!cli || !sourceDir || !outDir || !screenshot) {
  console.error('usage: node check.js CLI SOURCE_DIR OUT_DIR SCREENSHOT.png');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });

let failures = 0, passes = 0;
function check(ok, what) {
  if (ok) ++passes;
  else ++failures;
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
}

// The engine's weights: `attnscope-cli run` prints each float in its shortest round-trip form,
// so Math.fround gives back the exact float, and toFixed(3) rounds it as the app's hover does.
const expected = (w) => Math.fround(w).toFixed(3);

const CASES = [
  { name: 'date-normalizer', model: 'models/date-normalizer.json', text: '25th of November 2026',
    cells: [['encoder', 0, 0, 3, 4], ['encoder', 1, 2, 10, 10], ['decoder', 1, 3, 5, 2], ['cross', 1, 0, 0, 17],
      ['cross', 1, 1, 2, 18], ['cross', 0, 3, 7, 12]] },
  { name: 'tiny-lm', model: 'models/tiny-lm.json', text: 'And God said unto Moses',
    cells: [['decoder', 0, 0, 5, 4], ['decoder', 0, 1, 12, 11], ['decoder', 1, 0, 23, 0], ['decoder', 3, 2, 23, 18]],
    masked: ['decoder', 0, 0, 2, 7] },
];

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: false, // the flags below choose Chromium's own headless mode
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const c of CASES) await checkCase(browser, c);
  } finally {
    await browser.close();
  }
  console.log(`${passes} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
}

async function checkCase(browser, c) {
  const html = path.join(outDir, c.name + '.html');
  const model = path.join(sourceDir, c.model);
  execFileSync(cli, ['export', model, '--text', c.text, '--format', 'html', '--out', html]);
  const trace = JSON.parse(execFileSync(cli, ['run', model, '--text', c.text], { maxBuffer: 1 << 28 }).toString());
  const weightOf = (stack, layer, head, i, j) =>
    trace.attention.find((e) => e.stack === stack && e.layer === layer && e.head === head).weights[i][j];
  console.log(`${c.name}: ${html} (${fs.statSync(html).size} bytes)`);

  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const requests = [], violations = [], errors = [];
  page.on('request', (r) => { if (r.url() !== 'file://' + html) requests.push(r.url()); });
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('file://' + html);
  await page.waitForSelector('body[data-ready]', { timeout: 60000 });
  check((await page.getAttribute('body', 'data-ready')) === '1', `${c.name}: page ready (${await page.textContent('#status')})`);
  check(errors.length === 0, `${c.name}: no script errors ${errors.join('; ')}`);
  check(violations.length === 0, `${c.name}: no CSP violation while loading ${violations.join('; ')}`);
  check((await page.textContent('#model')) === trace.model, `${c.name}: model name shown`);
  check((await page.textContent('#run-input')) === c.text, `${c.name}: input shown`);
  const stacks = await page.evaluate(() => window.attnscope.meta.stacks.map((s) => s.name));

  // Hover cells after focusing their head through the stack switch and the overview.
  for (const [stack, layer, head, i, j] of c.cells) {
    await selectStack(page, stacks, stacks.indexOf(stack));
    await page.click(`#overview canvas[data-layer="${layer}"][data-head="${head}"]`);
    const title = await page.textContent('#head-title');
    check(title.includes(`layer ${layer}`) && title.includes(`head ${head}`), `${c.name}: overview click focuses ${stack} L${layer} H${head} ("${title}")`);
    const got = await hoverCell(page, i, j);
    const want = expected(weightOf(stack, layer, head, i, j));
    const meta = await page.evaluate((k) => window.attnscope.meta.stacks[k], stacks.indexOf(stack));
    const text = `${meta.query_labels[i]} \u2192 ${meta.key_labels[j]}: ${want}`;
    check(got.value === want && got.text.startsWith(text) && +got.query === i && +got.key === j,
      `${c.name}: ${stack} L${layer} H${head} cell (${i}, ${j}) hover "${got.text.split('\n')[0]}", core ${want} (raw ${weightOf(stack, layer, head, i, j)})`);
  }
  if (c.masked) {
    const [stack, layer, head, i, j] = c.masked;
    await selectStack(page, stacks, stacks.indexOf(stack));
    await page.click(`#overview canvas[data-layer="${layer}"][data-head="${head}"]`);
    const got = await hoverCell(page, i, j);
    check(got.text.includes('masked (future key)') && got.value === '', `${c.name}: cell (${i}, ${j}) reads "${got.text.split('\n')[0]}"`);
    check((await page.textContent('#mask-legend')).includes('masked'), `${c.name}: mask legend shown`);
  }

  // Alignment: hovering query i keeps only its lines (at most one per key), hovering key j its own.
  await selectStack(page, stacks, stacks.length - 1);
  await page.click('#overview canvas[data-layer="0"][data-head="0"]');
  const all = +(await page.getAttribute('#align', 'data-lines'));
  const q = 3;
  await hoverAlign(page, 'query', q);
  const isolated = await page.getAttribute('#align', 'data-isolated');
  const lines = +(await page.getAttribute('#align', 'data-lines'));
  const last = await page.evaluate(() => window.attnscope.meta.stacks[window.attnscope.meta.stacks.length - 1]);
  const want = weightOfRow(trace, last.name, q).filter((w) => Math.floor(Math.fround(w) * 1000 + 0.5) >= 5).length;
  check(isolated === `query:${q}` && lines > 0 && lines < all && lines <= last.tk,
    `${c.name}: hover query ${q} isolates ${lines} of ${all} lines (${await page.textContent('#align-status')})`);
  check(lines === want, `${c.name}: isolated lines ${lines} = keys of weight >= 0.005 in core's row (${want})`);
  await hoverAlign(page, 'key', 0);
  check((await page.getAttribute('#align', 'data-isolated')) === 'key:0', `${c.name}: hover key 0 isolates its lines`);
  await page.mouse.move(0, 0);
  await page.check('#all-heads');
  const chips = await page.locator('#align-legend span').count();
  const every = +(await page.getAttribute('#align', 'data-lines'));
  check(chips === last.heads && every > all, `${c.name}: every head of the layer: ${chips} colours, ${every} lines`);
  await page.uncheck('#all-heads');

  // The CSP refuses any fetch; the page itself asked for nothing but its file.
  const fetched = await page.evaluate(() => fetch('http://127.0.0.1:9/').then(() => 'fetched', () => 'refused'));
  check(fetched === 'refused' && violations.some((v) => /connect-src/.test(v)), `${c.name}: fetch from the page ${fetched} by the CSP`);
  check(requests.every((u) => u === 'http://127.0.0.1:9/') , `${c.name}: no other network request (${requests.join(', ') || 'none'})`);

  if (c.name === 'date-normalizer') {
    await selectStack(page, stacks, stacks.indexOf('cross'));
    await page.click('#overview canvas[data-layer="1"][data-head="1"]');
    // The whole page in one viewport, so the screenshot keeps the hover tooltip.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1280, height: Math.min(2000, height) });
    await page.evaluate(() => window.scrollTo(0, 0));
    await hoverCell(page, 2, 20);
    await page.screenshot({ path: screenshot });
    console.log(`screenshot: ${screenshot}`);
  } else await page.screenshot({ path: path.join(outDir, c.name + '.png'), fullPage: true });
  await context.close();
}

function weightOfRow(trace, stack, i) {
  return trace.attention.find((e) => e.stack === stack && e.layer === 0 && e.head === 0).weights[i];
}

// One stack: the switch is hidden and there is nothing to choose.
async function selectStack(page, stacks, index) {
  if (stacks.length > 1) await page.selectOption('#stack', String(index));
}

async function hoverCell(page, i, j) {
  await page.locator('#head').scrollIntoViewIfNeeded();
  const box = await page.locator('#head').boundingBox();
  const g = await page.evaluate(() => ({ ...document.getElementById('head').dataset }));
  const cell = +g.cell;
  await page.mouse.move(box.x + +g.left + (j + 0.5) * cell, box.y + +g.top + (i + 0.5) * cell);
  return page.evaluate(() => {
    const t = document.getElementById('tooltip');
    return { text: t.textContent, value: t.dataset.value, query: t.dataset.query, key: t.dataset.key };
  });
}

async function hoverAlign(page, side, index) {
  await page.locator('#align').scrollIntoViewIfNeeded();
  const box = await page.locator('#align').boundingBox();
  const d = await page.evaluate(() => ({ ...document.getElementById('align').dataset }));
  const x = side === 'key' ? +d.leftX - 12 : +d.rightX + 12;
  const row = side === 'key' ? +d.keyRow : +d.queryRow;
  await page.mouse.move(box.x + x, box.y + +d.top + (index + 0.5) * row);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
