// The secretariat browses the results frameworks: the AMUDDU results chain with its
// baselines and 2021 targets, then the same page in Arabic, right to left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, newPage, login, SCREENSHOTS } from './harness.mjs';

let server;
let browser;

before(async () => { server = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('the secretariat reads the AMUDDU framework in French and in Arabic', async () => {
  const page = await newPage(browser);
  await login(page, server.base, 'secretariat');
  await page.getByRole('link', { name: 'Cadres de résultats' }).click();
  assert.equal(await page.locator('tbody tr').count(), 3);
  await page.getByRole('link', { name: 'AMUDDU' }).click();
  const os1 = page.locator('tr', { hasText: 'OS-1' });
  assert.match(await os1.textContent(), /24 \(5\/21\)/);
  assert.match(await os1.textContent(), /2021 : 60 \(sex=F\)/);
  const oi13 = page.locator('tr', { hasText: 'OI1-3' });
  assert.match(await oi13.textContent(), /185 — SY2020-2021/);
  assert.equal(await oi13.locator('meter').getAttribute('value'), '71');
  await page.screenshot({ path: `${SCREENSHOTS}framework-fr.png`, fullPage: false });

  await page.getByRole('button', { name: 'العربية' }).click();
  await page.waitForSelector('html[dir="rtl"]');
  assert.match(await page.textContent('main'), /القيمة المرجعية/);
  // The tree indents from the right in Arabic.
  const top = await page.locator('.tree li.depth-0').first().boundingBox();
  const deep = await page.locator('.tree li.depth-2').first().boundingBox();
  assert.ok(deep.x + deep.width < top.x + top.width, 'deeper nodes end further from the right edge');
  await page.screenshot({ path: `${SCREENSHOTS}framework-ar.png`, fullPage: false });
  await page.close();
});

test('a donor reads the COVID figure by region, with its chart, in French then Arabic', async () => {
  const page = await newPage(browser);
  await login(page, server.base, 'viewer.enabel');
  await page.getByRole('link', { name: 'Cadres de résultats' }).click();
  await page.getByRole('link', { name: 'SNIA' }).click();
  await page.getByRole('link', { name: /SNIA-P3-COVID/ }).click();
  await page.getByLabel('Ventiler par').selectOption('territory');
  await page.getByRole('button', { name: 'Afficher' }).click();
  const casa = page.locator('tr', { hasText: 'Casablanca-Settat' });
  assert.match(await casa.textContent(), /216/);
  assert.match(await casa.textContent(), /36,92 %/);
  assert.match(await page.locator('tr.total').textContent(), /585/);
  assert.equal(await page.locator('figure.chart svg rect').count(), 6);
  await page.screenshot({ path: `${SCREENSHOTS}indicator-fr.png`, fullPage: true });
  // Drill down from the region to its provinces and prefectures.
  await casa.getByRole('link', { name: 'Casablanca-Settat' }).click();
  assert.match(await page.locator('caption').textContent(), /Casablanca-Settat/);
  assert.match(await page.locator('tr.total').textContent(), /216/);
  await page.goBack();

  await page.getByRole('button', { name: 'العربية' }).click();
  await page.waitForSelector('html[dir="rtl"]');
  assert.match(await page.locator('tr', { hasText: '216' }).textContent(), /الدار البيضاء سطات/);
  await page.screenshot({ path: `${SCREENSHOTS}indicator-ar.png`, fullPage: true });
  const href = await page.getByRole('link', { name: 'تحميل بصيغة CSV' }).getAttribute('href');
  const csv = await (await page.request.get(server.base + href)).text();
  assert.match(csv, /^territory,value\n/);
  assert.match(csv, /\n,585\n$/);
  await page.close();
});
