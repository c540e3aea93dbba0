// The reporting workflow: ANAPEC's focal point enters and submits its figures in
// French; the secretariat returns them with a comment; the focal point corrects and
// resubmits; the secretariat approves; the indicator page shows the value at once;
// the same pages render in Arabic, right to left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, newPage, login, SCREENSHOTS } from './harness.mjs';

let server;
let browser;

before(async () => { server = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const year = String(new Date().getUTCFullYear());
const cell = (page, code, col) => page.locator(`input[name="v:${code}:${col}"]`);

test('enter, submit, return, correct, approve, and see the value on the dashboard', async () => {
  const focal = await newPage(browser);
  await login(focal, server.base, 'focal.anapec');
  await focal.getByRole('link', { name: 'Rapportage' }).click();
  await focal.getByRole('link', { name: year }).first().click();
  assert.match(await focal.textContent('main'), /Non commencé/);
  await cell(focal, 'SNIA-P7-ANAPEC-INSCRITS', 'total').fill('700');
  await cell(focal, 'SNIA-P7-ANAPEC-INSCRITS', 'F').fill('300');
  await cell(focal, 'SNIA-P7-ANAPEC-INSCRITS', 'M').fill('410');
  await focal.getByRole('button', { name: 'Soumettre' }).click();
  // F + M ≠ total: refused, the error beside the cell, the typed values kept.
  assert.match(await focal.locator('[role=alert]').first().textContent(), /erreurs/);
  assert.match(await focal.locator('#v\\:SNIA-P7-ANAPEC-INSCRITS\\:M-error').textContent(), /règle de validation/);
  assert.equal(await cell(focal, 'SNIA-P7-ANAPEC-INSCRITS', 'F').inputValue(), '300');
  await cell(focal, 'SNIA-P7-ANAPEC-INSCRITS', 'M').fill('400');
  await focal.getByRole('button', { name: 'Soumettre' }).click();
  assert.match(await focal.locator('[role=status]').textContent(), /soumis au secrétariat/);
  await focal.screenshot({ path: `${SCREENSHOTS}reporting-submitted-fr.png`, fullPage: true });

  const sec = await newPage(browser);
  await login(sec, server.base, 'secretariat');
  await sec.goto(`${server.base}/reporting/ANAPEC-EMPLOI/ANAPEC/${year}`);
  assert.match(await sec.textContent('main'), /Soumis/);
  await sec.getByLabel('Commentaire').fill("Les ateliers de recherche d'emploi manquent : merci de les ajouter.");
  await sec.getByRole('button', { name: 'Renvoyer avec commentaire' }).click();
  assert.match(await sec.locator('[role=status]').textContent(), /renvoyé/);

  await focal.reload();
  assert.match(await focal.textContent('main'), /Renvoyé/);
  assert.match(await focal.locator('.comment').textContent(), /ateliers de recherche/);
  await cell(focal, 'SNIA-P7-ANAPEC-ATELIERS', 'total').fill('190');
  await focal.getByRole('button', { name: 'Soumettre' }).click();
  assert.match(await focal.locator('[role=status]').textContent(), /soumis/);

  // Before approval the dashboard does not count it.
  await sec.goto(`${server.base}/indicators/SNIA-P7-ANAPEC-INSCRITS?period=${year}&by=sex`);
  assert.equal(await sec.locator('tr.total').count(), 0, 'submitted values are not counted before approval');
  await sec.goto(`${server.base}/reporting/ANAPEC-EMPLOI/ANAPEC/${year}`);
  await sec.getByRole('button', { name: 'Valider' }).click();
  assert.match(await sec.locator('[role=status]').textContent(), /validé/);
  await sec.goto(`${server.base}/indicators/SNIA-P7-ANAPEC-INSCRITS?period=${year}&by=sex`);
  assert.match(await sec.locator('tr.total').textContent(), /700/);
  assert.match(await sec.locator('tr', { hasText: 'Femmes' }).textContent(), /300/);

  // The same pages in Arabic.
  await sec.goto(`${server.base}/reporting/ANAPEC-EMPLOI/ANAPEC/${year}`);
  await sec.getByRole('button', { name: 'العربية' }).click();
  await sec.waitForSelector('html[dir="rtl"]');
  assert.match(await sec.textContent('main'), /مُصادَق عليه/);
  await sec.screenshot({ path: `${SCREENSHOTS}reporting-approved-ar.png`, fullPage: true });
  await sec.getByRole('button', { name: 'إقفال' }).click();
  assert.match(await sec.textContent('main'), /مقفل/);

  // A locked period refuses changes and says who locked it.
  await focal.reload();
  assert.equal(await cell(focal, 'SNIA-P7-ANAPEC-INSCRITS', 'total').count(), 0, 'no inputs once approved');
  assert.match(await focal.textContent('main'), /Verrouillé/);
  assert.match(await focal.textContent('main'), /verrouillé par Nadia Benjelloun/);
  await focal.close();
  await sec.close();
});
