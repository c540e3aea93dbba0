// Two journeys of the people who shape what is collected and what is published:
// an administrator publishes a new version of the assessment form and reads it in
// Arabic; the secretariat prepares a table for the public and sees the small counts
// withheld and marked, in French and in Arabic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startDemo, launch, newPage, login, SCREENSHOTS } from './harness.mjs';

let server;
let browser;

before(async () => { server = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

async function switchToArabic(page) {
  await page.getByRole('button', { name: 'العربية' }).click();
}

test('an administrator publishes a new version of the assessment form', async () => {
  const page = await newPage(browser);
  await login(page, server.base, 'admin');
  await page.getByRole('link', { name: 'Formulaires' }).click();
  assert.match(await page.locator('#form-versions').textContent(), /première version/);

  // A broken definition: the problems beside the form, nothing imported.
  await page.getByLabel('Définition (JSON)').fill('{ "code": "EOS", ');
  await page.getByRole('button', { name: 'Importer la version' }).click();
  assert.match(await page.locator('#form-issues').textContent(), /line/);
  assert.equal(await page.locator('#form-versions tbody tr').count(), 1);

  // Version 2 adds a question.
  const v1 = JSON.parse(readFileSync(new URL('../../data/forms/evaluation-orientation-suivi.json', import.meta.url)));
  const v2 = { ...v1, version: 2 };
  v2.sections = structuredClone(v1.sections);
  v2.sections[0].fields.push({ code: 'driving_licence', kind: 'yes_no', required: false,
    label: { fr: 'Permis de conduire', ar: 'رخصة السياقة', en: 'Driving licence' } });
  await page.getByLabel('Définition (JSON)').fill(JSON.stringify(v2, null, 1));
  await page.getByRole('button', { name: 'Importer la version' }).click();
  assert.match(await page.getByRole('status').textContent(), /EOS v2/);
  const latest = page.locator('#form-versions tbody tr').first();
  assert.match(await latest.textContent(), /en vigueur/);
  assert.match(await latest.textContent(), /ajoutés : driving_licence/);
  await page.screenshot({ path: `${SCREENSHOTS}forms-fr.png` });

  await latest.getByRole('link').first().click();
  assert.match(await page.locator('main').textContent(), /Permis de conduire/);
  await switchToArabic(page);
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  assert.match(await page.locator('main').textContent(), /رخصة السياقة/);
  assert.match(await page.locator('main').textContent(), /نعم \/ لا/);
  await page.screenshot({ path: `${SCREENSHOTS}form-version-ar.png` });
});

test('the secretariat prepares a table for the public: small counts withheld and marked', async () => {
  const page = await newPage(browser);
  await login(page, server.base, 'secretariat');
  await page.goto(`${server.base}/account`);
  const token = await page.locator('input[name="_csrf"]').first().getAttribute('value');
  const csv = ['indicator,period,territory,organisation,value,sex',
    'SNIA-P7-ANAPEC-INSCRITS,2023,MA,ANAPEC,80,', 'SNIA-P7-ANAPEC-INSCRITS,2023,MA,ANAPEC,28,F',
    'SNIA-P7-ANAPEC-INSCRITS,2023,MA,ANAPEC,52,M', 'SNIA-P7-ANAPEC-INSCRITS,2023,MA-04,ANAPEC,30,',
    'SNIA-P7-ANAPEC-INSCRITS,2023,MA-04,ANAPEC,3,F', 'SNIA-P7-ANAPEC-INSCRITS,2023,MA-04,ANAPEC,27,M',
    'SNIA-P7-ANAPEC-INSCRITS,2023,MA-06,ANAPEC,50,', 'SNIA-P7-ANAPEC-INSCRITS,2023,MA-06,ANAPEC,25,F',
    'SNIA-P7-ANAPEC-INSCRITS,2023,MA-06,ANAPEC,25,M', ''].join('\n');
  const r = await page.request.post(`${server.base}/api/v1/data`, { headers: { 'x-csrf-token': token }, data: csv });
  assert.equal(r.status(), 200, await r.text());

  await page.goto(`${server.base}/indicators/SNIA-P7-ANAPEC-INSCRITS?period=2023`);
  await page.getByLabel('Ventiler par').selectOption('territory');
  await page.getByLabel(/Colonnes/).selectOption('sex');
  await page.getByLabel('Publication').selectOption('public');
  await page.getByRole('button', { name: 'Afficher' }).click();
  const pivot = page.locator('table.pivot');
  assert.ok(await pivot.isVisible());
  const text = await pivot.textContent();
  assert.ok(text.includes('×'), text);
  assert.ok(!/(^|\D)3(\D|$)/.test(text.replace(/\s+/g, ' ').replace('2023', '')), `no 3 in ${text}`);
  assert.match(await page.locator('.withheld-legend').textContent(), /secret statistique/);
  await page.screenshot({ path: `${SCREENSHOTS}public-pivot-fr.png` });
  // The CSV offered on the page is the public one.
  const href = await page.getByRole('link', { name: /CSV/ }).first().getAttribute('href');
  assert.match(href, /audience=public/);

  await switchToArabic(page);
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  assert.match(await page.locator('.withheld-legend').textContent(), /السر الإحصائي/);
  assert.ok((await page.locator('table.pivot').textContent()).includes('×'));
});
