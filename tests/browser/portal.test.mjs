// The public portal, in Arabic: with JavaScript disabled, a visitor finds ANAPEC's
// service in Rabat and asks to be contacted; ANAPEC Rabat's case worker sees the
// request in the intake queue. Then axe-core checks the portal's main pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startDemo, launch, login, SCREENSHOTS } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let server;
let browser;

before(async () => { server = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/// The answer to the form's check question ("كم يساوي 3 + 7؟").
async function answerQuestion(page) {
  const label = await page.textContent('label[for=answer]');
  const m = label.match(/(\d+)\s*\+\s*(\d+)/);
  assert.ok(m, `a question in ${label}`);
  await page.fill('#answer', String(Number(m[1]) + Number(m[2])));
}

test('a visitor without JavaScript finds ANAPEC in Rabat, asks to be contacted, and the agency sees it', async () => {
  const visitor = await browser.newContext({ locale: 'ar-MA', javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await visitor.newPage();
  await page.goto(`${server.base}/portal`);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  await page.getByLabel('المدينة أو الإقليم أو الجهة').selectOption('MA-RAB');
  await page.getByLabel('نوع المساعدة').selectOption('employment');
  await page.getByLabel('وضعيتي').selectOption('refugee');
  await page.getByRole('button', { name: 'بحث' }).click();
  await page.waitForURL(/\/portal\/services\?/);
  assert.match(await page.textContent('#results-title'), /خدم/);
  await page.screenshot({ path: `${SCREENSHOTS}portal-results-ar.png`, fullPage: true });

  await page.getByRole('link', { name: 'التسجيل كباحث عن عمل' }).click();
  await page.waitForURL(/SVC-ANAPEC-INSCRIPTION/);
  assert.match(await page.textContent('main'), /الوكالة الوطنية لإنعاش التشغيل والكفاءات/);
  assert.match(await page.textContent('main'), /Rabat/);
  await page.screenshot({ path: `${SCREENSHOTS}portal-service-ar.png`, fullPage: true });

  await page.getByRole('link', { name: 'اطلب الاتصال بك بخصوص هذه الخدمة' }).click();
  await page.waitForURL(/\/portal\/contact\?service=SVC-ANAPEC-INSCRIPTION/);
  await page.getByLabel('الاسم أو اللقب').fill('آمنة');
  await page.getByLabel('الهاتف أو البريد الإلكتروني').fill('06 61 23 45 67');
  await page.getByLabel('أين توجد؟').selectOption('MA-RAB');
  await answerQuestion(page);
  // Forgetting the consent: the form comes back, the error beside the box, in Arabic.
  await page.getByRole('button', { name: 'أرسل طلبي' }).click();
  assert.match(await page.textContent('#consent-error'), /ضع علامة في هذه الخانة/);
  assert.equal(await page.getByLabel('الاسم أو اللقب').inputValue(), 'آمنة');
  await page.screenshot({ path: `${SCREENSHOTS}portal-contact-error-ar.png`, fullPage: true });

  await page.locator('#consent').check();
  await answerQuestion(page);
  await page.getByRole('button', { name: 'أرسل طلبي' }).click();
  assert.match(await page.textContent('h1'), /تم إرسال الطلب/);
  assert.match(await page.textContent('main'), /أنابيك — وكالة الرباط/);
  await page.screenshot({ path: `${SCREENSHOTS}portal-sent-ar.png`, fullPage: true });
  await visitor.close();

  const staff = await browser.newContext({ locale: 'ar-MA' });
  const worker = await staff.newPage();
  await login(worker, server.base, 'worker.anapec');
  await worker.waitForURL(`${server.base}/`);
  await worker.getByRole('link', { name: 'طلبات الاتصال' }).click();
  await worker.waitForURL(/\/intake$/);
  assert.match(await worker.textContent('main'), /آمنة/);
  assert.match(await worker.textContent('main'), /06 61 23 45 67/);
  await worker.getByRole('button', { name: 'أتكفّل بهذا الطلب' }).click();
  assert.match(await worker.textContent('main'), /قيد المعالجة/);
  await worker.screenshot({ path: `${SCREENSHOTS}intake-ar.png`, fullPage: true });
  await staff.close();
});

test('axe-core finds no accessibility violation on the portal\'s main pages, in Arabic and French', async () => {
  const pages = [
    '/portal',
    '/portal/services?territory=MA-RAB&category=employment',
    '/portal/services/SVC-ANAPEC-INSCRIPTION',
    '/portal/locations/LOC-ANAPEC-RABAT',
    '/portal/rights',
    '/portal/rights/RIGHT-HEALTH',
    '/portal/contact?service=SVC-ANAPEC-INSCRIPTION',
    '/portal/map',
  ];
  for (const locale of ['ar-MA', 'fr-FR']) {
    // The scan runs in the page; the strict Content-Security-Policy is bypassed for it alone.
    const context = await browser.newContext({ locale, bypassCSP: true });
    const page = await context.newPage();
    for (const path of pages) {
      const res = await page.goto(`${server.base}${path}`);
      assert.equal(res.status(), 200, path);
      await page.evaluate(AXE);
      const result = await page.evaluate(async () => await window.axe.run(document));
      const problems = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      assert.deepEqual(problems, [], `${locale} ${path}`);
    }
    // The contact form with its errors showing.
    await page.goto(`${server.base}/portal/contact`);
    await page.getByRole('button', { name: /أرسل طلبي|Envoyer ma demande/ }).click();
    await page.evaluate(AXE);
    const result = await page.evaluate(async () => await window.axe.run(document));
    assert.deepEqual(result.violations.map((v) => v.id), [], `${locale} contact form with errors`);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.base}/portal/map`);
    await page.screenshot({ path: `${SCREENSHOTS}portal-map-${locale}.png`, fullPage: true });
    await context.close();
  }
});
