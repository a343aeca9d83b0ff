import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminHeaders, artisanSessionHeaders } from './helpers/admin.ts';
import { filesOf, rowsOf } from './helpers/archive.ts';
import { ENGINES, resetBookings } from './helpers/db.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { addBusiness, type TestBusiness } from './helpers/tenants.ts';

/**
 * The completion report (issue 22 item 2): a boiler service marked done on Wednesday
 * 2027-03-03 at 9:00 in Paris; the technician's form, the French PDF e-mailed to the customer
 * (read back with pdftotext, as a customer's reader would), the same PDF from the manage link,
 * the back office and the business's export.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'mme.girard@example.com';
const ADDRESS = { street: '3 rue des Chaudières', postalCode: '69003', city: 'Lyon' };

/** The PDF's text as poppler's pdftotext reads it, its white space folded. */
function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'report-'));
  try {
    writeFileSync(join(dir, 'r.pdf'), pdf);
    const out = spawnSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
    if (out.error) throw new Error('pdftotext is missing: install poppler-utils (npm test does it when run as root: scripts/provision.mjs)');
    expect(out.status, out.stderr).toBe(0);
    return out.stdout.replace(/\s+/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(ENGINES)('completion report on %s', (engine) => {
  const smtp = new TestSmtp();
  let t: TestService;
  let other: TestBusiness;
  const admin = adminHeaders();

  beforeAll(async () => {
    await smtp.start();
    t = await startTestService(engine, { env: { SMTP_URL: smtp.url } });
    const demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demo]);
    other = await addBusiness(t.service.db, demo, 'chauffage-martin', 'Chauffage Martin');
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });
  beforeEach(async () => {
    t.clock.ms = START;
    await resetBookings(t.service.db);
    smtp.received = [];
  });

  const VALUES = {
    workDone: 'Nettoyage du corps de chauffe et du brûleur, contrôle de la combustion.',
    observations: 'Vase d’expansion à surveiller : pression basse.',
    applianceBrand: 'Saunier Duval',
    applianceModel: 'ThemaPlus Condens',
    applianceSerial: 'SD-2019-44871',
    energy: 'Gaz naturel',
    coPpm: '12',
    advice: 'Purger les radiateurs avant l’hiver.',
  };

  it('a boiler service: the form, the French PDF e-mailed and downloadable from the manage link, the back office and the export', async () => {
    const form = await t.request('PUT', '/api/admin/services/diag/report-form', { preset: 'boiler' }, admin);
    expect(form.status, JSON.stringify(form.body)).toBe(200);
    expect(form.body.fields.map((f: { label: string }) => f.label)).toEqual([
      'Travaux réalisés', 'Observations', 'Marque de l’appareil', 'Modèle', 'Numéro de série',
      'Énergie (gaz, fioul, bois…)', 'Monoxyde de carbone mesuré (ppm)', 'Rendement mesuré (%)', 'Conduit et évacuation des fumées', 'Pièces remplacées', 'Conseils d’utilisation et d’amélioration',
    ]);
    expect((await t.request('GET', '/api/admin/services/urgence/report-form', undefined, admin)).body.preset).toBe('standard');

    const created = await t.request('POST', '/plomberie-dupont/api/bookings', bookingBody('2027-03-03', '09:00', { customer: { name: 'Mme Girard', email: EMAIL, phone: '+33612345678', address: ADDRESS } }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const code = created.body.booking.publicCode as string;
    const manageToken = new URL(created.body.links.manage as string).searchParams.get('token')!;
    const write = (values: Record<string, string>, headers = admin) => t.request('PUT', `/api/admin/bookings/${code}/report`, { values }, headers);

    // Before the intervention is marked done: refused.
    const early = await write(VALUES);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'BOOKING_NOT_COMPLETED', message: expect.stringMatching(/Marquez d’abord l’intervention comme réalisée/) });
    t.clock.set('2027-03-03T09:00:00Z');
    expect((await t.request('POST', `/api/admin/bookings/${code}/outcome`, { outcome: 'completed' }, admin)).status).toBe(200);
    await t.service.worker.runOnce();
    smtp.received = [];

    // Every problem at once, in French, nothing written.
    const bad = await write({ observations: 'x', colour: 'rouge' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(bad.body.error.details).toEqual(
      expect.arrayContaining([
        { field: 'report.workDone', message: 'Ce champ est obligatoire.' },
        { field: 'report.colour', message: 'Ce champ ne fait pas partie du compte rendu de cette prestation.' },
      ]),
    );
    expect((await t.request('GET', `/api/admin/bookings/${code}/report`, undefined, admin)).body).not.toHaveProperty('report');

    const written = await write(VALUES);
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    expect(written.body.report.entries.map((e: { label: string; value: string }) => [e.label, e.value])).toContainEqual(['Monoxyde de carbone mesuré (ppm)', '12']);
    expect(written.body.report.technicianName).toBe('Marc Dupont - Plomberie');

    // E-mailed through the outbox, the PDF attached.
    await t.service.worker.runOnce();
    const mails = smtp.to(EMAIL);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!.mail;
    expect(mail.subject).toBe('Compte rendu de votre intervention du mercredi 3 mars 2027 à 9 h');
    expect(mail.text).toContain('Vous trouverez ci-joint le compte rendu de l’intervention « Diagnostic et audit complet »');
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([[`compte-rendu-${code}.pdf`, 'application/pdf']]);
    const pdf = mail.attachments[0]!.content;

    const text = pdfText(pdf);
    for (const expected of [
      'Marc Dupont - Plomberie',
      'Compte rendu d’intervention',
      'Date de l’intervention : mercredi 3 mars 2027 à 9 h',
      'Prestation : Diagnostic et audit complet',
      'Client : Mme Girard',
      'Adresse d’intervention : 3 rue des Chaudières, 69003 Lyon',
      'Travaux réalisés Nettoyage du corps de chauffe et du brûleur, contrôle de la combustion.',
      'Observations Vase d’expansion à surveiller : pression basse.',
      'Marque de l’appareil Saunier Duval',
      'Modèle ThemaPlus Condens',
      'Numéro de série SD-2019-44871',
      'Énergie (gaz, fioul, bois…) Gaz naturel',
      'Monoxyde de carbone mesuré (ppm) 12',
      'Conseils d’utilisation et d’amélioration Purger les radiateurs avant l’hiver.',
    ]) {
      expect(text).toContain(expected);
    }

    // The same PDF from the manage link (no sign-in) and from the back office.
    const fromLink = await t.inject({ method: 'GET', url: `/api/bookings/manage/report?token=${manageToken}` });
    expect(fromLink.statusCode).toBe(200);
    expect(fromLink.headers['content-type']).toBe('application/pdf');
    expect(fromLink.headers['content-disposition']).toBe(`attachment; filename="compte-rendu-${code}.pdf"`);
    expect(fromLink.rawPayload.equals(pdf)).toBe(true);
    const fromOffice = await t.inject({ method: 'GET', url: `/api/admin/bookings/${code}/report.pdf`, headers: admin });
    expect(fromOffice.rawPayload.equals(pdf)).toBe(true);

    // Stored with the booking, and in the business's export.
    const session = await artisanSessionHeaders(t);
    const archive = await t.inject({ method: 'GET', url: '/api/admin/export', headers: session });
    expect(archive.statusCode).toBe(200);
    const rows = rowsOf((await filesOf(archive.rawPayload)).get('tables/completion_reports.ndjson'));
    expect(rows).toHaveLength(1);
    expect((rows[0] as { entries: { value: string }[] }).entries.map((e) => e.value)).toContain('SD-2019-44871');

    // Another business: the booking answers as a missing one.
    const theirs = { authorization: `Bearer ${other.token}` };
    const missing = await t.request('PUT', '/api/admin/bookings/AC-ZZZZZZ/report', { values: VALUES }, theirs);
    const foreign = await write(VALUES, theirs);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expect((await t.inject({ method: 'GET', url: `/api/admin/bookings/${code}/report.pdf`, headers: theirs })).statusCode).toBe(404);
  });

  it('no report yet: the manage link answers 404 in French', async () => {
    const created = await t.request('POST', '/plomberie-dupont/api/bookings', bookingBody('2027-03-03', '11:00', { customer: { name: 'Mme Girard', email: EMAIL } }));
    const token = new URL(created.body.links.manage as string).searchParams.get('token')!;
    const res = await t.request('GET', `/api/bookings/manage/report?token=${token}`);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'REPORT_NOT_FOUND', message: 'Aucun compte rendu n’a encore été établi pour ce rendez-vous.' });
  });
});
