import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { decodeQrPng, qrPngSize } from './helpers/qr.ts';
import { startTestService, type TestService } from './helpers/service.ts';

/**
 * A new artisan's way to a page that can take a booking (issue 23 item 9): GET
 * /api/admin/setup-checklist after the first start, item by item; the page's address and its QR
 * code. Clock: the test clock's default.
 */
const PUBLIC_BASE_URL = 'https://rdv.sophie-plomberie.fr';

describe.each(ENGINES)('setup checklist and booking page on %s', (engine) => {
  let t: TestService;
  const lines: string[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );

  beforeAll(async () => {
    t = await startTestService(engine, { env: { SEED_DEMO: 'false', LOG_LEVEL: 'info', PUBLIC_BASE_URL }, log });
    const setupCode = /code d'installation ([A-Z0-9-]+)/.exec(lines.join('\n'))![1];
    const res = await t.request('POST', '/api/setup', {
      setupCode,
      displayName: 'Sophie Martin Plomberie',
      contactEmail: 'contact@sophie-plomberie.fr',
      signInEmail: 'sophie@sophie-plomberie.fr',
      password: 'un-mot-de-passe-tres-solide',
      timezone: 'Europe/Paris',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
  afterAll(async () => t?.close());

  const admin = (method: 'GET' | 'PATCH' | 'POST', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  const checklist = async () => {
    const res = await admin('GET', '/setup-checklist');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('lists hours, an active service and payments until each is done, then says the page is ready', async () => {
    expect(await checklist()).toEqual({ hours: false, service: false, payments: false, ready: false });

    await admin('PATCH', '/artisan', { openingRules: [{ dayOfWeek: 1, startMinutes: 480, endMinutes: 1020 }] });
    expect(await checklist()).toEqual({ hours: true, service: false, payments: false, ready: false });

    const created = await admin('POST', '/services', { name: 'Débouchage', durationMinutes: 60, basePriceCents: 12000, depositRate: 0.3 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.service.id as string;
    expect(await checklist()).toEqual({ hours: true, service: true, payments: false, ready: false });

    // A page whose active services take no deposit has nothing to collect online.
    await admin('PATCH', `/services/${id}`, { depositRate: 0 });
    expect(await checklist()).toMatchObject({ payments: true, ready: true });
    await admin('PATCH', `/services/${id}`, { depositRate: 0.3 });
    expect(await checklist()).toMatchObject({ payments: false, ready: false });

    // Saving the Paiements screen is the artisan's choice, kept whatever comes next.
    expect((await admin('PATCH', '/payment-settings', { captureStrategy: 'capture' })).status).toBe(200);
    expect(await checklist()).toEqual({ hours: true, service: true, payments: true, ready: true });

    await admin('PATCH', `/services/${id}`, { isActive: false });
    expect(await checklist()).toEqual({ hours: true, service: false, payments: true, ready: false });
    await admin('PATCH', `/services/${id}`, { isActive: true });
  });

  it('gives the booking page address and a QR code of it, as PNG that decodes to it and as SVG', async () => {
    const page = await admin('GET', '/booking-page');
    expect(page.body).toEqual({ url: `${PUBLIC_BASE_URL}/` });

    const png = await t.inject({ method: 'GET', url: '/api/admin/booking-page/qr?format=png', headers: adminHeaders() });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(qrPngSize(png.rawPayload)).toBeGreaterThanOrEqual(512);
    expect(decodeQrPng(png.rawPayload)).toBe(`${PUBLIC_BASE_URL}/`);

    const svg = await t.inject({ method: 'GET', url: '/api/admin/booking-page/qr', headers: adminHeaders() });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(svg.body).toMatch(/^<svg [^>]*viewBox/);
  });

  it('refuses an unknown image format with a French validation error, and every route without credentials', async () => {
    const res = await admin('GET', '/booking-page/qr?format=gif');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/invalides|vérifier/) });
    for (const url of ['/setup-checklist', '/booking-page', '/booking-page/qr']) {
      expect((await t.request('GET', `/api/admin${url}`)).status, url).toBe(401);
    }
  });

  it('edits every profile field after setup, stores the phone as E.164, and names a bad phone in French', async () => {
    const res = await admin('PATCH', '/artisan', {
      displayName: 'Sophie Martin — Plomberie',
      trade: 'Plombière chauffagiste',
      phone: '06 98 76 54 32',
      email: 'Bonjour@Sophie-Plomberie.fr',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.artisan).toMatchObject({
      displayName: 'Sophie Martin — Plomberie',
      trade: 'Plombière chauffagiste',
      phone: '+33698765432',
      email: 'bonjour@sophie-plomberie.fr',
    });
    const bad = await admin('PATCH', '/artisan', { phone: '06 98' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ field: 'phone', message: "Le numéro de téléphone n'est pas valide." }]);
  });
});
