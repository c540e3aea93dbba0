// Case work, in French and again in Arabic: a case worker at the Entraide Nationale
// centre in Rabat searches before registering (the search finds a transliterated
// existing record), opens a case, assesses, plans, refers to ANAPEC sharing only the
// professional profile; an ANAPEC case worker accepts, records a positioning
// interview and a workshop, and returns the outcome; the sender sees it; the ANAPEC
// funnel counts the person once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, newPage, login, SCREENSHOTS } from './harness.mjs';

let server;
let browser;

before(async () => { server = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const year = String(new Date().getUTCFullYear());

async function toFrench(page) {
  const b = page.getByRole('button', { name: 'Français' });
  if (await b.isEnabled()) { await b.click(); await page.waitForSelector('html[dir="ltr"]'); }
}

async function toArabic(page) {
  await page.getByRole('button', { name: 'العربية' }).click();
  await page.waitForSelector('html[dir="rtl"]');
}

async function journey({ lang, search, expect, outcome }) {
  const en = await newPage(browser);
  await login(en, server.base, 'worker.en');
  if (lang === 'ar') await toArabic(en);
  await en.goto(`${server.base}/cases`);
  await en.locator('a[href="/people/new"]').click();
  for (const [name, value] of Object.entries(search)) await en.fill(`[name="${name}"]`, value);
  await en.locator('button[value="search"]').click();
  const match = en.locator('table.matches a', { hasText: expect });
  await match.waitFor();
  await en.screenshot({ path: `${SCREENSHOTS}casework-search-${lang}.png`, fullPage: true });
  // The same person: open the existing file rather than registering twice.
  await match.click();
  await en.locator('button[value="open_case"]').click();
  await en.waitForURL(/\/cases\/\d+/);
  const caseUrl = en.url().split('?')[0];

  // The assessment: a required answer missing is refused beside its field.
  await en.selectOption('[name="a:residence_permit"]', 'valid');
  await en.locator('button[value="assessment"]').click();
  assert.ok(await en.locator('#a-housing_situation-error').isVisible(), 'error beside the missing answer');
  assert.equal(await en.locator('[name="a:residence_permit"]').inputValue(), 'valid', 'typed answers kept');
  await en.check('[name="a:admin_support_needed"][value="no"]');
  await en.selectOption('[name="a:housing_situation"]', 'shared');
  await en.selectOption('[name="a:income_source"]', 'informal_work');
  await en.selectOption('[name="a:arabic_level"]', 'basic');
  await en.selectOption('[name="a:french_level"]', 'fluent');
  await en.selectOption('[name="a:school_level"]', 'upper_secondary');
  await en.fill('[name="a:work_experience"]', 'Électricien, 4 ans');
  await en.selectOption('[name="a:project_type"]', 'salaried');
  await en.selectOption('[name="a:motivation_level"]', 'high');
  await en.fill('[name="a:health_notes"]', 'Confidentiel : traitement en cours');
  await en.locator('button[value="assessment"]').click();
  await en.locator('.notice[role=status]').waitFor();

  // The pathway plan and the referral to ANAPEC with the professional profile only.
  await en.fill('[name="goal"]', lang === 'ar' ? 'الإدماج المهني' : 'Insertion professionnelle');
  await en.fill('[name="step"]', lang === 'ar' ? 'التسجيل في الوكالة' : "Inscription à l'ANAPEC");
  await en.fill('[name="due_date"]', `${year}-12-31`);
  await en.locator('button[value="step"]').click();
  await en.locator('.notice[role=status]').waitFor();
  await en.selectOption('select[name="organisation"]', 'ANAPEC-RABAT');
  await en.selectOption('select[name="service"]', 'positioning_interview');
  await en.check('[name="sections"][value="professional_profile"]');
  await en.locator('button[value="refer"]').click();
  await en.locator('tr.referral[data-status="sent"]').waitFor();
  await en.screenshot({ path: `${SCREENSHOTS}casework-case-${lang}.png`, fullPage: true });

  // ANAPEC accepts, sees the profile and not the health notes, records the services.
  const an = await newPage(browser);
  await login(an, server.base, 'worker.anapec');
  if (lang === 'ar') await toArabic(an);
  await an.goto(`${server.base}/referrals`);
  const row = an.locator('tr.referral[data-status="sent"]').first();
  await row.locator('button[value="accept"]').click();
  await an.locator('tr.referral[data-status="accepted"]').first().locator('a').click();
  const main = await an.textContent('main');
  assert.match(main, /Électricien, 4 ans/);
  assert.doesNotMatch(main, /traitement en cours/, 'health is not shared');
  await an.selectOption('tr.referral[data-status="accepted"] select[name="service_type"]', 'positioning_interview');
  await an.locator('tr.referral[data-status="accepted"] button[value="service_given"]').click();
  await an.selectOption('tr.referral[data-status="service_given"] select[name="service_type"]', 'job_search_workshop');
  await an.locator('tr.referral[data-status="service_given"] button[value="service_given"]').click();
  await an.fill('tr.referral[data-status="service_given"] input[name="text"]', outcome);
  await an.locator('tr.referral[data-status="service_given"] button[value="complete"]').click();
  await an.locator('tr.referral[data-status="completed"]').waitFor();
  await an.screenshot({ path: `${SCREENSHOTS}casework-anapec-${lang}.png`, fullPage: true });

  // The sender sees the outcome.
  await en.goto(caseUrl);
  assert.match(await en.locator('tr.referral[data-status="completed"] .outcome').textContent(), new RegExp(outcome));
  await en.close();
  await an.close();
}

test('in French: search, open, assess, plan, refer to ANAPEC, outcome back, counted once', async () => {
  await journey({ lang: 'fr', search: { given_name: 'Muhammad', family_name: 'Dialo', birth_date: '1994' }, expect: 'Mohamed Diallo', outcome: 'Inscrit, atelier suivi' });
  const sec = await newPage(browser);
  await login(sec, server.base, 'secretariat');
  await sec.goto(`${server.base}/indicators/SNIA-P7-ANAPEC-POSITIONNEMENT?period=${year}&by=sex`);
  assert.match(await sec.locator("tr.total").textContent(), /Total\s*1\D/);
  await sec.close();
});

test('in Arabic, right to left: the same journey', async () => {
  await journey({ lang: 'ar', search: { name_ar: 'يوسف الحسن' }, expect: 'Youssef Al Hassan', outcome: 'تم التسجيل' });
  const sec = await newPage(browser);
  await login(sec, server.base, 'secretariat');
  await sec.goto(`${server.base}/indicators/SNIA-P7-ANAPEC-POSITIONNEMENT?period=${year}&by=sex`);
  assert.match(await sec.locator('tr.total').textContent(), /Total\s*2\D/, "two people, each once");
  await sec.close();
});

test('registration suggestions, then the supervisor reviews the pair the engine linked', async () => {
  const en = await newPage(browser);
  await login(en, server.base, 'worker.en');
  await toFrench(en);
  await en.goto(`${server.base}/people/new`);
  await en.fill('[name="given_name"]', 'Mamadou');
  await en.fill('[name="family_name"]', 'Bah');
  await en.check('[name="sex"][value="M"]');
  await en.fill('[name="birth_date"]', '1990');
  await en.fill('[name="phones"]', '+212 655 44 33 22');
  await en.check('[name="consent"][value="case_work"]');
  await en.locator('button[value="register"]').click();
  await en.waitForURL(/\/people\/\d+/);
  // A second registration of the same man, typed differently: the suggestion comes first.
  await en.goto(`${server.base}/people/new`);
  await en.fill('[name="given_name"]', 'Mamadu');
  await en.fill('[name="family_name"]', 'Ba');
  await en.check('[name="sex"][value="M"]');
  await en.fill('[name="birth_date"]', '1990');
  await en.fill('[name="phones"]', '0655443322');
  await en.locator('button[value="register"]').click();
  assert.match(await en.locator('[role=alert]').textContent(), /ressemble fortement/);
  assert.match(await en.locator('table.matches').textContent(), /Mamadou Bah/);
  // Each reason weighs against unrelated persons: the shared phone counts for the match.
  assert.match(await en.locator('table.matches').textContent(), /Téléphone : identique \(\+\d/);
  await en.check('[name="not_same"]');
  await en.locator('button[value="register"]').click();
  await en.waitForURL(/\/people\/\d+/);

  const sec = await newPage(browser);
  await login(sec, server.base, 'secretariat');
  await toFrench(sec);
  await sec.goto(`${server.base}/casework/statistics`);
  await sec.locator('form[action="/casework/statistics"] button').click();
  await sec.locator('#link-result').waitFor();
  assert.doesNotMatch(await sec.textContent('main'), /Mamad/, 'the secretariat sees counts, not names');

  const sup = await newPage(browser);
  await login(sup, server.base, 'supervisor.en');
  await toArabic(sup);
  await sup.goto(`${server.base}/cases/duplicates`);
  const pair = sup.locator('section.pair[data-status="linked"]', { hasText: 'Mamadu' });
  await pair.waitFor();
  assert.match(await pair.textContent(), /الهاتف : [^(]*\(\+\d/, 'the shared phone counts for, in Arabic too');
  await sup.screenshot({ path: `${SCREENSHOTS}casework-duplicates-ar.png`, fullPage: true });
  await pair.locator('button[value="same"]').click();
  await sup.locator('section.pair[data-status="confirmed"]', { hasText: 'Mamadu' }).waitFor();
  await en.close();
  await sec.close();
  await sup.close();
});
