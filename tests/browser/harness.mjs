// Shared set-up for the browser journeys: a demo server on a free port with a
// fresh data directory, and Debian's Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const PASSWORD = 'passerelle-demo';
export const SCREENSHOTS = new URL('./screenshots/', import.meta.url).pathname;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

export async function startDemo() {
  const bin = process.env.PASSERELLE_BIN;
  if (!bin) throw new Error('PASSERELLE_BIN must name the passerelle binary (scripts/test sets it)');
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-browser-'));
  const child = spawn(bin, ['demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try { const r = await fetch(`${base}/login`); if (r.ok) break; } catch { /* not up yet */ }
    if (child.exitCode !== null) throw new Error(`demo exited: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, stop: () => child.kill('SIGINT'), log: () => log };
}

export async function launch() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

/// A page in a fresh context (its own cookies), as a French-speaking user's browser.
export async function newPage(browser) {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

export async function login(page, base, username) {
  await page.goto(`${base}/login`);
  await page.getByLabel(/Identifiant|Username|اسم المستخدم/).fill(username);
  await page.getByLabel(/^(Mot de passe|Password|كلمة المرور)$/).fill(PASSWORD);
  await page.getByRole('button', { name: /Se connecter|Sign in|دخول/ }).click();
}
