// Dashboards: the secretariat reads a framework's statuses and bars, a newly approved
// figure moves them at once, and an indicator pivots by region × sex with its CSV —
// in French, then in Arabic, right to left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, newPage, login, SCREENSHOTS } from './harness.mjs';

let server;
let browser;

before(async () => { server = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/// Imports a CSV of values through the API with the page's session and its token.
async function importValues(page, csv) {
  await page.goto(`${server.base}/account`);
  const token = await page.locator('input[name="_csrf"]').first().getAttribute('value');
  const r = await page.request.post(`${server.base}/api/v1/data`, { headers: { 'x-csrf-token': token }, data: csv });
  assert.equal(r.status(), 200, await r.text());
}

test('the secretariat follows the AMUDDU dashboard and pivots a figure by region and sex', async () => {
  const page = await newPage(browser);
  await login(page, server.base, 'secretariat');
  await page.getByRole('link', { name: 'Cadres de résultats' }).click();
  await page.getByRole('link', { name: 'AMUDDU' }).click();
  const oi13 = page.locator('tr', { hasText: 'OI1-3' });
  assert.equal(await oi13.locator('.band').getAttribute('data-band'), 'on_track');
  assert.match(await oi13.textContent(), /en bonne voie/);
  assert.ok(await page.locator('.status-in_progress').count() > 0, 'some node is in progress');
  assert.ok(await page.locator('.actions-status svg rect').count() > 0, 'actions as a stacked bar');
  await page.screenshot({ path: `${SCREENSHOTS}dashboard-fr.png`, fullPage: false });

  // A new school year's figure reaches the target; the dashboard shows it at once.
  await importValues(page, 'indicator,period,territory,organisation,value\nOI1-3,SY2021-2022,MA,AMAPPE,260\n');
  await page.goto(`${server.base}/frameworks/AMUDDU`);
  const after = page.locator('tr', { hasText: 'OI1-3' });
  assert.match(await after.textContent(), /260 — SY2021-2022/);
  assert.equal(await after.locator('.band').getAttribute('data-band'), 'achieved');
  assert.match(await after.textContent(), /cible atteinte/);

  // The ANAPEC registrations of 2022 by region and sex.
  await importValues(page, [
    'indicator,period,territory,organisation,value,sex',
    'SNIA-P7-ANAPEC-INSCRITS,2022,MA,ANAPEC,100,', 'SNIA-P7-ANAPEC-INSCRITS,2022,MA,ANAPEC,40,F',
    'SNIA-P7-ANAPEC-INSCRITS,2022,MA,ANAPEC,60,M', 'SNIA-P7-ANAPEC-INSCRITS,2022,MA-04,ANAPEC,30,',
    'SNIA-P7-ANAPEC-INSCRITS,2022,MA-04,ANAPEC,10,F', 'SNIA-P7-ANAPEC-INSCRITS,2022,MA-04,ANAPEC,20,M',
    'SNIA-P7-ANAPEC-INSCRITS,2022,MA-06,ANAPEC,50,', 'SNIA-P7-ANAPEC-INSCRITS,2022,MA-06,ANAPEC,25,F',
    'SNIA-P7-ANAPEC-INSCRITS,2022,MA-06,ANAPEC,25,M', ''].join('\n'));
  await page.goto(`${server.base}/indicators/SNIA-P7-ANAPEC-INSCRITS`);
  await page.getByLabel('Période').selectOption('2022');
  await page.getByLabel('Ventiler par').selectOption('territory');
  await page.getByLabel('Colonnes (tableau croisé)').selectOption('sex');
  await page.getByRole('button', { name: 'Afficher' }).click();
  const rabat = page.locator('table.pivot tr', { hasText: 'Rabat-Salé-Kénitra' });
  assert.deepEqual(await rabat.locator('td').allTextContents(), ['10', '20', '30']);
  assert.deepEqual(await page.locator('table.pivot tr.total td').allTextContents(), ['40', '60', '100']);
  await page.screenshot({ path: `${SCREENSHOTS}pivot-fr.png`, fullPage: true });
  const href = await page.getByRole('link', { name: 'Télécharger le tableau croisé (CSV)' }).getAttribute('href');
  const csv = await (await page.request.get(server.base + href)).text();
  assert.equal(csv, 'territory\\sex,F,M,total\nMA-04,10,20,30\nMA-06,25,25,50\ntotal,40,60,100\n');

  // The same pivot in Arabic: region names in Arabic, the first column on the right.
  await page.getByRole('button', { name: 'العربية' }).click();
  await page.waitForSelector('html[dir="rtl"]');
  const rabatAr = page.locator('table.pivot tr', { hasText: 'الرباط سلا القنيطرة' });
  assert.deepEqual(await rabatAr.locator('td').allTextContents(), ['10', '20', '30']);
  const head = await rabatAr.locator('th').boundingBox();
  const cell = await rabatAr.locator('td').first().boundingBox();
  assert.ok(head.x > cell.x, 'the row label is on the right in Arabic');
  assert.ok(await page.getByRole('link', { name: 'تنزيل الجدول المتقاطع (CSV)' }).count() === 1);
  await page.screenshot({ path: `${SCREENSHOTS}pivot-ar.png`, fullPage: true });

  await page.goto(`${server.base}/frameworks/AMUDDU`);
  assert.match(await page.locator('tr', { hasText: 'OI1-3' }).textContent(), /الهدف محقق/);
  assert.match(await page.textContent('main'), /قيد الإنجاز|منجز/);
  await page.screenshot({ path: `${SCREENSHOTS}dashboard-ar.png`, fullPage: false });
  await page.close();
});
