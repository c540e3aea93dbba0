// The yearly report: ANAPEC's focal point writes and submits the narrative of
// programme 7; the secretariat approves it, freezes the data and opens the report,
// which shows the narrative, a chart and the snapshot it comes from. Then the same
// journey in Arabic, right to left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, newPage, login, SCREENSHOTS } from './harness.mjs';

let server;
let browser;

before(async () => { server = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const area = (page, lang, section) => page.locator(`textarea[name="${lang}:${section}"]`);

async function toArabic(page) {
  await page.getByRole('button', { name: 'العربية' }).click();
  await page.waitForSelector('html[dir="rtl"]');
}

test('a focal point writes programme 7, the secretariat approves, freezes and opens the report (French)', async () => {
  const focal = await newPage(browser);
  await login(focal, server.base, 'focal.anapec');
  await focal.getByRole('link', { name: 'Rapport annuel' }).click();
  await focal.getByRole('link', { name: /P7 — Emploi/ }).first().click();
  assert.match(await focal.textContent('main'), /Non commencé/);
  // Submitting without the activities is refused and nothing typed is lost.
  await area(focal, 'fr', 'challenges').fill('Le manque de sensibilisation du secteur privé.');
  await focal.getByRole('button', { name: 'Soumettre' }).click();
  assert.match(await focal.locator('[role=alert]').textContent(), /Activités menées en 2020 — Ce champ est obligatoire/);
  assert.equal(await area(focal, 'fr', 'challenges').inputValue(), 'Le manque de sensibilisation du secteur privé.');
  await area(focal, 'fr', 'activities').fill("680 migrants inscrits dans le système d'information de l'ANAPEC, dont 261 femmes.");
  await area(focal, 'fr', 'recommendations').fill("- Poursuivre l'adaptation des outils de l'ANAPEC.\n- Renforcer l'accompagnement vers l'auto-emploi.");
  await focal.getByRole('button', { name: 'Soumettre' }).click();
  assert.match(await focal.locator('[role=status]').textContent(), /soumise au secrétariat/);

  const sec = await newPage(browser);
  await login(sec, server.base, 'secretariat');
  await sec.goto(`${server.base}/report/2020`);
  await sec.getByRole('row', { name: /P7 — Emploi.*ANAPEC/ }).getByRole('link').click();
  assert.match(await sec.textContent('main'), /Soumis/);
  await sec.getByRole('button', { name: 'Valider' }).click();
  assert.match(await sec.locator('[role=status]').textContent(), /validée/);

  await sec.goto(`${server.base}/report/2020`);
  await sec.getByLabel('Libellé').fill('essai du navigateur');
  await sec.getByRole('button', { name: 'Figer les données' }).click();
  assert.match(await sec.locator('[role=status]').textContent(), /figée/);
  await sec.getByRole('row', { name: /essai du navigateur/ }).getByRole('link', { name: 'Rapport (HTML)' }).click();
  const main = await sec.textContent('main');
  assert.match(main, /Rapport 2020/);
  assert.match(main, /version figée des données n° \d+ essai du navigateur/);
  assert.match(main, /680 migrants inscrits dans le système d'information de l'ANAPEC/);
  assert.match(main, /Recommandations/);
  assert.ok(await sec.locator('#P7 .chart svg').count() > 0, 'a chart for programme 7');
  assert.match(await sec.locator('#P1').textContent(), /3\u202f207/);
  await sec.screenshot({ path: `${SCREENSHOTS}report-fr.png`, fullPage: false });

  // The recommendations are followed up in the next year's report.
  await sec.goto(`${server.base}/report/2020/followups`);
  assert.match(await sec.textContent('main'), /Renforcer l'accompagnement vers l'auto-emploi/);
  await focal.close();
  await sec.close();
});

test('the same journey in Arabic, right to left', async () => {
  const focal = await newPage(browser);
  await login(focal, server.base, 'focal.anapec');
  await focal.goto(`${server.base}/report/2020/narrative/P6/ANAPEC`);
  await toArabic(focal);
  assert.match(await focal.textContent('main'), /الأنشطة المنجزة سنة 2020/);
  await area(focal, 'fr', 'activities').fill('Orientation de 78 migrants vers la formation professionnelle.');
  await area(focal, 'ar', 'activities').fill('توجيه 78 مهاجرا نحو التكوين المهني.');
  await focal.getByRole('button', { name: 'إرسال' }).click();
  assert.match(await focal.locator('[role=status]').textContent(), /إرسال الجزء السردي/);

  const sec = await newPage(browser);
  await login(sec, server.base, 'secretariat');
  await sec.goto(`${server.base}/report/2020/narrative/P6/ANAPEC`);
  await toArabic(sec);
  await sec.getByRole('button', { name: 'مصادقة' }).click();
  assert.match(await sec.locator('[role=status]').textContent(), /المصادقة/);
  await sec.goto(`${server.base}/report/2020`);
  await sec.getByRole('button', { name: 'تجميد المعطيات' }).click();
  await sec.getByRole('link', { name: 'التقرير (HTML)' }).first().click();
  assert.equal(await sec.getAttribute('html', 'dir'), 'rtl');
  const main = await sec.textContent('main');
  assert.match(main, /السياسة الوطنية للهجرة واللجوء — تقرير 2020/);
  assert.match(main, /توجيه 78 مهاجرا نحو التكوين المهني/);
  assert.match(main, /لم يُقدَّم النص العربي/, 'French shown where no Arabic was given, and said so');
  assert.ok(await sec.locator('#P7 .chart svg').count() > 0, 'a chart');
  await sec.screenshot({ path: `${SCREENSHOTS}report-ar.png`, fullPage: false });
  await focal.close();
  await sec.close();
});
