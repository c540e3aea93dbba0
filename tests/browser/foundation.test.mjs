// Journeys of the foundation: sign in, switch to Arabic (right to left), an
// administrator creates a user with a form error first, a case worker is refused
// the administration pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, newPage, login, SCREENSHOTS } from './harness.mjs';

let server;
let browser;

before(async () => { server = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('an administrator signs in, switches to Arabic and back, and the page turns right to left', async () => {
  const page = await newPage(browser);
  await login(page, server.base, 'admin');
  await page.waitForURL(`${server.base}/`);
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  assert.match(await page.textContent('h1'), /Bienvenue, Administratrice Passerelle/);
  await page.screenshot({ path: `${SCREENSHOTS}home-fr.png`, fullPage: true });

  await page.getByRole('button', { name: 'العربية' }).click();
  await page.waitForSelector('html[dir="rtl"]');
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  assert.match(await page.textContent('h1'), /مرحبًا/);
  // Logical CSS: the navigation starts on the right in Arabic.
  const nav = await page.locator('.main-nav li').first().boundingBox();
  const last = await page.locator('.main-nav li').last().boundingBox();
  assert.ok(nav.x > last.x, 'first nav item is to the right of the last in RTL');
  await page.screenshot({ path: `${SCREENSHOTS}home-ar.png`, fullPage: true });

  await page.getByRole('link', { name: 'المجالات الترابية' }).click();
  await page.getByRole('link', { name: 'الرباط سلا القنيطرة' }).click();
  assert.match(await page.textContent('main'), /MA-RAB/);

  await page.getByRole('button', { name: 'Français' }).click();
  await page.waitForSelector('html[dir="ltr"]');
  assert.match(await page.textContent('h1'), /Rabat-Salé-Kénitra/);
  await page.close();
});

test('an administrator creates a user; errors show beside their fields, nothing is saved until corrected', async () => {
  const page = await newPage(browser);
  await login(page, server.base, 'admin');
  await page.getByRole('link', { name: 'Utilisateurs' }).click();
  await page.getByLabel('Identifiant').fill('salma.b');
  await page.getByLabel('Nom affiché').fill('Salma Bennani');
  await page.getByLabel('Organisation', { exact: true }).selectOption('EN-CASA');
  await page.getByLabel('Travailleur social').check();
  await page.getByLabel('Mot de passe').fill('court');
  await page.getByRole('button', { name: "Créer l'utilisateur" }).click();
  assert.match(await page.textContent('#password-error'), /longueur/);
  assert.equal(await page.getByLabel('Identifiant').inputValue(), 'salma.b');
  assert.equal(await page.locator('td', { hasText: 'salma.b' }).count(), 0);

  await page.getByLabel('Mot de passe').fill('une longue phrase de passe');
  await page.getByRole('button', { name: "Créer l'utilisateur" }).click();
  assert.match(await page.textContent('[role=status]'), /salma\.b/);
  assert.equal(await page.locator('td', { hasText: 'salma.b' }).count(), 1);
  await page.screenshot({ path: `${SCREENSHOTS}users-fr.png`, fullPage: true });
  await page.close();
});

test('a case worker is refused the administration pages, in their language', async () => {
  const page = await newPage(browser);
  await login(page, server.base, 'worker.en');
  await page.waitForURL(`${server.base}/`);
  assert.equal(await page.getByRole('link', { name: 'Utilisateurs' }).count(), 0);
  const res = await page.goto(`${server.base}/admin/users`);
  assert.equal(res.status(), 403);
  assert.match(await page.textContent('h1'), /Accès refusé/);
  assert.match(await page.textContent('main'), /Référence de l'opération/);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(/\/login/);
  const again = await page.goto(`${server.base}/account`);
  assert.match(again.url(), /\/login\?next=%2Faccount/);
  await page.close();
});
