import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { TestClock, bookingBody, parisDate, serviceForSuite } from './helpers/service.ts';
import { TEST_ADMIN_TOKEN } from './helpers/admin.ts';
import { addBusiness, type TestBusiness } from './helpers/tenants.ts';

/**
 * Two businesses on one instance (issue 19), built alike: same time zone, same hours, the same
 * service ids, the same customer e-mail. Every public and back-office route of one is tried with
 * the other's identifiers (booking codes, service ids, token, calendar connection, time off,
 * closure, outbox job and message ids): each answers exactly as if the data did not exist.
 */
const START = Date.parse('2027-03-01T08:00:00Z'); // a Monday
const CUSTOMER = 'claire.petit@example.fr';

describe.each(ENGINES)('two businesses on one instance on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  let a: TestBusiness;
  let b: TestBusiness;
  let day: string;
  let codeA: string;
  let codeB: string;
  const as = (who: TestBusiness) => ({ authorization: `Bearer ${who.token}` });
  const req = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>) =>
    t.request(method, url, body, headers);

  beforeAll(async () => {
    const demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demo]);
    a = { id: demo, slug: 'plomberie-dupont', token: TEST_ADMIN_TOKEN, tokenId: '' };
    b = await addBusiness(t.service.db, demo, 'chauffage-martin', 'Chauffage Martin');
    await t.service.db.query(`UPDATE services SET name = 'Diagnostic chaudière' WHERE artisan_id = $1 AND id = 'diag'`, [b.id]);
  });

  // The suite's service empties the bookings before each test: each test books again.
  beforeEach(async () => {
    day = parisDate(t.clock as TestClock, 2);
    const book = async (who: TestBusiness) => {
      const res = await req('POST', `/${who.slug}/api/bookings`, bookingBody(day, '10:00', { customer: { name: 'Claire Petit', email: CUSTOMER } }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.booking.publicCode as string;
    };
    codeA = await book(a);
    codeB = await book(b);
  });

  it('each business has its own page, services and slots under its address; the bare paths need a business', async () => {
    const services = async (slug: string) => (await req('GET', `/${slug}/api/services`)).body.services as { id: string; name: string }[];
    const ofA = await services(a.slug);
    const ofB = await services(b.slug);
    expect(ofA.map((s) => s.id)).toEqual(ofB.map((s) => s.id));
    expect(ofA.find((s) => s.id === 'diag')?.name).not.toBe('Diagnostic chaudière');
    expect(ofB.find((s) => s.id === 'diag')?.name).toBe('Diagnostic chaudière');
    expect((await req('GET', `/${b.slug}/api/artisan`)).body.artisan.displayName).toBe('Chauffage Martin');

    const page = await t.inject({ method: 'GET', url: `/${b.slug}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<meta name="ac-business" content="/chauffage-martin">');
    const unknown = await req('GET', '/plomberie-inconnue/api/services');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('BUSINESS_NOT_FOUND');
    expect((await t.inject({ method: 'GET', url: '/plomberie-inconnue' })).statusCode).toBe(404);

    // Two businesses and no address: the contract's bare paths cannot tell which one.
    const bare = await req('GET', '/api/services');
    expect(bare.status).toBe(404);
    expect(bare.body.error).toMatchObject({ code: 'BUSINESS_NOT_FOUND', message: expect.stringMatching(/entreprise/) });

    // Both booked 10:00 for the same customer e-mail; each sees its own booking only.
    const slot = async (slug: string) =>
      ((await req('GET', `/${slug}/api/availability?serviceId=diag&date=${day}`)).body.slots as { time: string; available: boolean }[]).find(
        (s) => s.time === '10:00',
      );
    expect(await slot(a.slug)).toMatchObject({ available: false });
    expect(await slot(b.slug)).toMatchObject({ available: false });
    const rows = await t.service.db.query<{ artisan_id: string }>(`SELECT artisan_id FROM bookings WHERE public_code = ANY($1) ORDER BY public_code = $2 DESC`, [
      [codeA, codeB],
      codeA,
    ]);
    expect(rows.map((r) => r.artisan_id)).toEqual([a.id, b.id]);
  });

  it("a business's own host name reaches it on the contract's paths", async () => {
    await t.service.db.query(`UPDATE artisans SET host_name = 'rdv.chauffage-martin.fr' WHERE id = $1`, [b.id]);
    const res = await t.inject({ method: 'GET', url: '/api/services', headers: { host: 'rdv.chauffage-martin.fr' } });
    expect(res.statusCode).toBe(200);
    expect((res.json().services as { name: string }[]).map((s) => s.name)).toContain('Diagnostic chaudière');
    // On its host, another business's code is as unknown as a made-up one.
    const other = await t.inject({ method: 'GET', url: `/api/bookings/public?code=${codeA}&email=${CUSTOMER}`, headers: { host: 'rdv.chauffage-martin.fr' } });
    const madeUp = await t.inject({ method: 'GET', url: `/api/bookings/public?code=AC-ZZZZZZ&email=${CUSTOMER}`, headers: { host: 'rdv.chauffage-martin.fr' } });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual(madeUp.json());
  });

  it("the customer's routes under one business's address answer another's codes as missing", async () => {
    const missing = 'AC-ZZZZZZ';
    const paths = (code: string) => [
      ['GET', `/api/bookings/public?code=${code}&email=${CUSTOMER}`],
      ['GET', `/api/bookings/${code}/availability?date=${day}&email=${CUSTOMER}`],
      ['GET', `/api/bookings/${code}/availability/days?from=${day}&to=${day}&email=${CUSTOMER}`],
      ['GET', `/api/bookings/${code}/ics?email=${CUSTOMER}`],
      ['POST', `/api/bookings/${code}/cancel`, { email: CUSTOMER }],
      ['POST', `/api/bookings/${code}/reschedule`, { email: CUSTOMER, newDate: day, newTime: '11:00' }],
      ['POST', `/api/bookings/${code}/payment/confirm`, { email: CUSTOMER }],
    ] as const;
    for (const [i, [method, path, body]] of paths(codeB).entries()) {
      const cross = await req(method, `/${a.slug}${path}`, body);
      const none = await req(method, `/${a.slug}${paths(missing)[i]![1]}`, body);
      expect(cross.status, `${method} ${path}`).toBe(404);
      expect(cross.body, `${method} ${path}`).toEqual(none.body);
    }
    // B's manage link under A's address: as missing as a code that does not exist.
    const found = await req('GET', `/${b.slug}/api/bookings/public?code=${codeB}&email=${CUSTOMER}`);
    const token = new URL(found.body.links.manage as string).searchParams.get('token')!;
    const crossLink = await req('GET', `/${a.slug}/api/bookings/manage?token=${token}`);
    const missingCode = await req('GET', `/${a.slug}/api/bookings/public?code=${missing}&email=${CUSTOMER}`);
    expect(crossLink.status).toBe(404);
    expect(crossLink.body).toEqual(missingCode.body);
    expect((await req('GET', `/${b.slug}/api/bookings/manage?token=${token}`)).body.booking.publicCode).toBe(codeB);
    // The same code under its own business's address, or with no address, is found.
    expect(found.status).toBe(200);
    expect((await req('GET', `/api/bookings/public?code=${codeB}&email=${CUSTOMER}`)).status).toBe(200);
    // B's booking is untouched by the attempts.
    expect((await req('GET', `/${b.slug}/api/bookings/public?code=${codeB}&email=${CUSTOMER}`)).body.booking.status).toBe('confirmed');
  });

  it("one business's back office answers the other's identifiers as missing, and lists only its own", async () => {
    // Identifiers B owns: a time off, a closure, a calendar connection, an outbox job.
    const block = await req('POST', '/api/admin/busy-blocks', { startDateTime: `${day}T14:00:00+01:00`, endDateTime: `${day}T15:00:00+01:00`, summary: 'Congés' }, as(b));
    expect(block.status, JSON.stringify(block.body)).toBe(201);
    const closure = await req('POST', '/api/admin/exceptions', { date: parisDate(t.clock as TestClock, 9), closed: true }, as(b));
    expect(closure.status, JSON.stringify(closure.body)).toBe(201);
    const calendarId = randomUUID();
    await t.service.db.query(
      `INSERT INTO calendar_connections (id, artisan_id, provider_id, name, secret_ciphertext, next_sync_at, created_at, updated_at)
       VALUES ($1, $2, 'ics', 'Agenda B', 'sealed', now() + interval '1 day', now(), now())`,
      [calendarId, b.id],
    );
    const jobB = (await t.service.db.query<{ id: string }>(`SELECT id FROM outbox WHERE artisan_id = $1 LIMIT 1`, [b.id]))[0]!.id;
    const blockId = block.body.busyBlock.id as string;
    const closureId = closure.body.exception.id as string;

    const tries: [string, 'GET' | 'POST' | 'PATCH' | 'DELETE', (id: string) => string, unknown, string][] = [
      ['booking', 'GET', (id) => `/api/admin/bookings/${id}`, undefined, codeB],
      ['booking cancel', 'POST', (id) => `/api/admin/bookings/${id}/cancel`, { reason: 'test' }, codeB],
      ['booking move', 'POST', (id) => `/api/admin/bookings/${id}/reschedule`, { newDate: day, newTime: '11:00' }, codeB],
      ['time off', 'DELETE', (id) => `/api/admin/busy-blocks/${id}`, undefined, blockId],
      ['closure', 'DELETE', (id) => `/api/admin/exceptions/${id}`, undefined, closureId],
      ['calendar', 'GET', (id) => `/api/admin/calendars/${id}`, undefined, calendarId],
      ['calendar sync', 'POST', (id) => `/api/admin/calendars/${id}/sync`, undefined, calendarId],
      ['calendar removal', 'DELETE', (id) => `/api/admin/calendars/${id}`, undefined, calendarId],
      ['outbox retry', 'POST', (id) => `/api/admin/outbox/${id}/retry`, undefined, jobB],
      ['token', 'DELETE', (id) => `/api/admin/tokens/${id}`, undefined, b.tokenId],
    ];
    for (const [what, method, url, body, id] of tries) {
      const unknownId = what.startsWith('booking') ? 'AC-ZZZZZZ' : randomUUID();
      const cross = await req(method, url(id), body, as(a));
      const none = await req(method, url(unknownId), body, as(a));
      expect(cross.status, what).toBe(none.status);
      expect(cross.body, what).toEqual(none.body);
      expect(cross.status, what).toBeGreaterThanOrEqual(400);
    }

    // Lists hold only the business's own rows.
    const bookingsA = JSON.stringify((await req('GET', '/api/admin/bookings', undefined, as(a))).body);
    expect(bookingsA).toContain(codeA);
    expect(bookingsA).not.toContain(codeB);
    const outboxA = (await req('GET', '/api/admin/outbox', undefined, as(a))).body;
    expect(JSON.stringify(outboxA)).not.toContain(jobB);
    // A message kept in B's mailbox (the suite's service sends through SMTP; the mailbox is the embedded default).
    const bookingB = (await t.service.db.query<{ id: string }>('SELECT id FROM bookings WHERE public_code = $1', [codeB]))[0]!.id;
    await t.service.db.query(
      `INSERT INTO mailbox (artisan_id, id, channel, recipient, recipient_kind, kind, subject, text_body, message_id, booking_id, outbox_id, created_at)
       VALUES ($1, $2, 'email', $3, 'customer', 'confirmed', 'Chauffage Martin : réservation confirmée', 'Bonjour', $4, $5, $6, now())`,
      [b.id, randomUUID(), CUSTOMER, `${randomUUID()}@artisanconnect.test`, bookingB, jobB],
    );
    expect(JSON.stringify((await req('GET', '/api/admin/messages', undefined, as(b))).body)).toContain(codeB);
    const messagesA = JSON.stringify((await req('GET', '/api/admin/messages', undefined, as(a))).body);
    expect(messagesA).not.toContain(codeB);
    expect(messagesA).not.toContain('Chauffage Martin');
    const agendaA = JSON.stringify((await req('GET', `/api/admin/agenda?from=${day}&to=${day}`, undefined, as(a))).body);
    expect(agendaA).toContain(codeA);
    expect(agendaA).not.toContain(codeB);

    // Editing `diag` in A's back office changes A's service only.
    const renamed = await req('PATCH', '/api/admin/services/diag', { name: 'Diagnostic plomberie' }, as(a));
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(((await req('GET', `/${b.slug}/api/services`)).body.services as { id: string; name: string }[]).find((s) => s.id === 'diag')?.name).toBe(
      'Diagnostic chaudière',
    );
    // A service id B chose is free for A to choose too, and says nothing about B.
    const created = await req('POST', '/api/admin/services', { id: 'ramonage-poele', name: 'Ramonage', durationMinutes: 60, basePriceCents: 12000, depositRate: 0.3 }, as(b));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const same = await req('POST', '/api/admin/services', { id: 'ramonage-poele', name: 'Ramonage', durationMinutes: 60, basePriceCents: 12000, depositRate: 0.3 }, as(a));
    expect(same.status, JSON.stringify(same.body)).toBe(201);

    // B's rows are all still there.
    const still = await t.service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE artisan_id = $1 AND status = 'confirmed'`, [b.id]);
    expect(still[0]!.n).toBe(1);
    expect((await req('GET', '/api/admin/me', undefined, as(b))).status).toBe(200);
  });

  it("each business's back office hands out its own address: the booking page, the embed snippet, the calendar feed, the API description", async () => {
    const INSTANCE = 'http://localhost:3000';
    await t.service.db.query(`UPDATE artisans SET host_name = NULL WHERE id = $1`, [b.id]);
    // The embed snippet: each business's page under its slug, the script from the instance.
    const snippet = async (who: TestBusiness) => (await req('GET', '/api/admin/embed', undefined, as(who))).body.snippet as string;
    expect(await snippet(a)).toContain(`<iframe data-artisanconnect src="${INSTANCE}/plomberie-dupont?embed=1"`);
    expect(await snippet(b)).toContain(`<iframe data-artisanconnect src="${INSTANCE}/chauffage-martin?embed=1"`);
    expect(await snippet(b)).toContain(`<script src="${INSTANCE}/embed.js" async></script>`);
    // The booking page to share (and its QR code): its own address too.
    const pageOf = async (who: TestBusiness) => (await req('GET', '/api/admin/booking-page', undefined, as(who))).body.url as string;
    expect(await pageOf(a)).toBe(`${INSTANCE}/plomberie-dupont`);
    expect(await pageOf(b)).toBe(`${INSTANCE}/chauffage-martin`);
    const framed = await t.inject({ method: 'GET', url: '/chauffage-martin?embed=1' });
    expect(framed.statusCode).toBe(200);
    expect(framed.body).toContain('<meta name="ac-business" content="/chauffage-martin">');

    // The calendar feed: under its business's address; another business's address opens nothing.
    const feedA = (await req('GET', '/api/admin/calendar-feed', undefined, as(a))).body as { url: string; lastReadAt: string | null };
    expect(feedA.url).toMatch(/^http:\/\/localhost:3000\/plomberie-dupont\/api\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    const file = new URL(feedA.url).pathname.split('/').pop()!;
    const underB = await req('GET', `/${b.slug}/api/calendar/${file}`);
    const unknownUnderB = await req('GET', `/${b.slug}/api/calendar/${'Zq'.repeat(21)}x.ics`);
    expect(underB.status).toBe(404);
    expect(underB.body).toEqual(unknownUnderB.body);
    expect((await req('GET', '/api/admin/calendar-feed', undefined, as(a))).body.lastReadAt, 'a refused read is not a read').toBeNull();
    const own = await t.inject({ method: 'GET', url: new URL(feedA.url).pathname });
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain(codeA);
    expect(own.body).not.toContain(codeB);
    // The instance's bare address (feeds subscribed before businesses had their own) still opens it.
    expect((await t.inject({ method: 'GET', url: `/api/calendar/${file}` })).statusCode).toBe(200);

    // The API description under a business's address: its server, its public paths only.
    const docB = (await req('GET', `/${b.slug}/api/openapi.json`)).body as { servers: { url: string }[]; paths: Record<string, unknown> };
    expect(docB.servers).toEqual([{ url: `${INSTANCE}/chauffage-martin` }]);
    expect(Object.keys(docB.paths)).toEqual(expect.arrayContaining(['/api/services', '/api/bookings', '/api/calendar/{file}']));
    expect(Object.keys(docB.paths).filter((path) => /^\/api\/(admin|setup|operator)\b/.test(path))).toEqual([]);
    const uiDoc = (await req('GET', `/${b.slug}/api/docs/json`)).body as { servers: { url: string }[] };
    expect(uiDoc.servers).toEqual([{ url: `${INSTANCE}/chauffage-martin` }]);
    const instanceDoc = (await req('GET', '/api/openapi.json')).body as { servers: { url: string }[]; paths: Record<string, unknown> };
    expect(instanceDoc.servers).toEqual([{ url: INSTANCE }]);
    expect(Object.keys(instanceDoc.paths)).toContain('/api/admin/embed');
    expect((await req('GET', '/plomberie-inconnue/api/openapi.json')).status).toBe(404);

    // With its own host name, a business's addresses are on it: the snippet, the feed and the API description.
    await t.service.db.query(`UPDATE artisans SET host_name = 'rdv.chauffage-martin.fr' WHERE id = $1`, [b.id]);
    expect(await snippet(b)).toContain('<iframe data-artisanconnect src="http://rdv.chauffage-martin.fr:3000/?embed=1"');
    expect(await snippet(b)).toContain('<script src="http://rdv.chauffage-martin.fr:3000/embed.js" async></script>');
    expect(await pageOf(b)).toBe('http://rdv.chauffage-martin.fr:3000/');
    const feedB = (await req('GET', '/api/admin/calendar-feed', undefined, as(b))).body.url as string;
    expect(feedB).toMatch(/^http:\/\/rdv\.chauffage-martin\.fr:3000\/api\/calendar\//);
    const onHost = (url: string) => t.inject({ method: 'GET', url, headers: { host: 'rdv.chauffage-martin.fr' } });
    expect((await onHost(new URL(feedB).pathname)).statusCode).toBe(200);
    expect((await onHost(`/api/calendar/${file}`)).statusCode, "A's feed on B's host").toBe(404);
    expect((await onHost('/api/openapi.json')).json().servers).toEqual([{ url: 'http://rdv.chauffage-martin.fr:3000' }]);
  });
});
