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
