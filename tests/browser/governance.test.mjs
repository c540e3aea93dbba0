// Governance: the secretariat records CP3's meeting of 6 October 2020 as held, with
// attendance and a decision creating an action for ANAPEC (a date in the future is
// refused beside its field); ANAPEC's focal point, in Arabic, marks the action in
// progress; the brief for the meeting of 13 November shows it, in French and Arabic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, newPage, login, SCREENSHOTS } from './harness.mjs';

let server;
let browser;

before(async () => { server = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('record a CP3 meeting, follow the action it creates, see it in the brief', async () => {
  const sec = await newPage(browser);
  await login(sec, server.base, 'secretariat');
  await sec.getByRole('link', { name: 'Gouvernance' }).click();
  await sec.getByRole('link', { name: /CP3/ }).first().click();
  assert.match(await sec.textContent('#rates-table'), /2020\s*12\s*3\s*3\s*25 %/);
  await sec.getByRole('link', { name: '2020-10-06' }).click();

  // A meeting cannot be held in the future: refused, the error beside the field.
  await sec.locator('#held_on').fill('2099-01-01');
  await sec.getByLabel(/^ANAPEC —/).selectOption('present');
  await sec.getByRole('button', { name: 'Enregistrer' }).click();
  assert.match(await sec.locator('#held_on-error').textContent(), /date/i);
  assert.equal(await sec.locator('#held_on').inputValue(), '2099-01-01', 'the typed value is kept');

  await sec.locator('#held_on').fill('2020-10-06');
  await sec.getByLabel(/^ANAPEC —/).selectOption('present');
  await sec.getByLabel(/^OFPPT —/).selectOption('excused');
  await sec.getByRole('textbox', { name: /^Ordre du jour/ }).fill("Point d'avancement des programmes 6 et 7");
  await sec.getByRole('button', { name: 'Enregistrer' }).click();
  assert.match(await sec.locator('[role=status]').textContent(), /Enregistré/);
  assert.match(await sec.textContent('#attendance'), /ANAPEC[\s\S]*Présent/);

  await sec.getByRole('textbox', { name: 'Décision', exact: true }).fill("L'ANAPEC présentera l'état de l'accompagnement des migrants à la prochaine réunion");
  await sec.getByRole('textbox', { name: 'Action de suivi', exact: true }).fill("Présenter l'état de l'accompagnement des migrants");
  await sec.getByRole('combobox', { name: 'Organisation responsable' }).selectOption('ANAPEC');
  await sec.locator('#due_on').fill('2020-11-12');
  await sec.getByRole('button', { name: 'Ajouter une décision' }).click();
  assert.match(await sec.textContent('#decisions'), /présentera l'état/);
  assert.match(await sec.textContent('#meeting-actions'), /Présenter l'état[\s\S]*ANAPEC[\s\S]*Ouverte/);
  await sec.screenshot({ path: `${SCREENSHOTS}governance-meeting-fr.png`, fullPage: true });

  // ANAPEC's focal point, in Arabic, right to left.
  const anapec = await newPage(browser);
  await login(anapec, server.base, 'focal.anapec');
  await anapec.getByRole('button', { name: 'العربية' }).click();
  await anapec.waitForSelector('html[dir="rtl"]');
  await anapec.getByRole('link', { name: 'الحكامة' }).click();
  await anapec.getByRole('link', { name: 'تتبع الإجراءات' }).click();
  await anapec.getByRole('link', { name: "Présenter l'état de l'accompagnement des migrants" }).click();
  await anapec.getByRole('combobox', { name: 'الحالة' }).selectOption('in_progress');
  await anapec.getByRole('textbox', { name: 'ملاحظة التقدم' }).fill('المعطيات قيد التجميع لدى وكالتي الرباط والدار البيضاء');
  await anapec.getByRole('button', { name: 'حفظ' }).click();
  assert.match(await anapec.textContent('#action-status'), /قيد الإنجاز/);
  assert.match(await anapec.textContent('#history'), /Youssef El Amrani/);
  await anapec.screenshot({ path: `${SCREENSHOTS}governance-action-ar.png`, fullPage: true });

  // The brief for the next meeting: the action in progress, the ANAPEC figures.
  await sec.goto(`${server.base}/governance/bodies/CP3`);
  await sec.getByRole('link', { name: '2020-11-13' }).click();
  await sec.getByRole('link', { name: 'Note de préparation' }).click();
  const brief = await sec.textContent('#brief');
  assert.match(brief, /SNIA P6[\s\S]*SNIA P7/);
  assert.match(brief, /SNIA-P7-ANAPEC-INSCRITS[\s\S]*680/);
  assert.match(await sec.textContent('#follow-ups'), /Présenter l'état[\s\S]*En cours/);
  assert.match(await sec.textContent('#alerts'), /Action de suivi en retard/);
  await sec.screenshot({ path: `${SCREENSHOTS}governance-brief-fr.png`, fullPage: true });
  await sec.getByRole('button', { name: 'العربية' }).click();
  await sec.waitForSelector('html[dir="rtl"]');
  assert.match(await sec.textContent('#follow-ups'), /قيد الإنجاز/);
  assert.match(await sec.textContent('#brief'), /مذكرة التحضير/);
  await sec.screenshot({ path: `${SCREENSHOTS}governance-brief-ar.png`, fullPage: true });
  await anapec.close();
  await sec.close();
});
