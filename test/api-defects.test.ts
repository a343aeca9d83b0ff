import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders, loginAsArtisan, setDemoPassword } from './helpers/admin.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';

/**
 * Defects of the landed service found by trying it as a new user would (issue 12): every
 * answer in the contract's French body, contact details kept out of the logs by value, bodies
 * in another charset, per-field details on every VALIDATION_ERROR, request ids, SMS to a
 * landline, non-canonical manage tokens, time zone names.
 */

const FRENCH = /[àâçéèêëîïôûùœ]|\b(le|la|les|ce|cette|de|des|du|merci|pas|invalide|obligatoire|requête)\b/i;

function expectContractError(status: number, body: string, code?: string): { code: string; message: string; details?: { field: string; message: string }[] } {
  const parsed = JSON.parse(body) as { error: { code: string; message: string; details?: { field: string; message: string }[] } };
  expect(Object.keys(parsed), body).toEqual(['error']);
  expect(parsed.error.code, body).toMatch(/^[A-Z][A-Z_]+$/);
  if (code) expect(parsed.error.code, body).toBe(code);
  expect(parsed.error.message, body).toMatch(FRENCH);
  expect(body).not.toMatch(/FST_|statusCode|Bad Request|Not Found|Service Unavailable|Unsupported Media Type/);
  expect(status).toBeGreaterThanOrEqual(400);
  return parsed.error;
}

function expectFieldDetails(status: number, body: string, field: string | RegExp): void {
  expect(status, body).toBe(400);
  const error = expectContractError(status, body, 'VALIDATION_ERROR');
  expect(error.details, body).toBeDefined();
  expect(error.details!.length, body).toBeGreaterThan(0);
  for (const d of error.details!) expect(d.message).toMatch(FRENCH);
  expect(error.details!.map((d) => d.field), body).toContainEqual(typeof field === 'string' ? field : expect.stringMatching(field));
}

describe.each(ENGINES)('defects of the landed service on %s', (engine) => {
  let t: TestService;
  const lines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    t = await startTestService(engine, { log: pino({ level: 'debug' }, sink), env: { LOG_LEVEL: 'info' } });
  });
  afterAll(async () => t?.close());

  describe('framework errors answer the contract body in French', () => {
    it.each([
      ['GET', '/%ff'],
      ['GET', '/api/services/%ff'],
      ['GET', '/api/nope'],
      ['DELETE', '/api/services'],
      ['GET', '/api/admin/does-not-exist'],
    ])('%s %s', async (method, url) => {
      const res = await t.inject({ method: method as 'GET', url });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expectContractError(res.statusCode, res.body);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    });

    it.each([
      ['text/plain', 'bonjour', 415],
      ['application/xml', '<a/>', 415],
      ['application/json', '{"serviceId":', 400],
      ['application/json', '', 400],
      ['application/json; charset=klingon', '{}', 415],
    ])('POST /api/bookings with %s', async (type, payload, status) => {
      const res = await t.inject({ method: 'POST', url: '/api/bookings', payload, headers: { 'content-type': type } });
      expect(res.statusCode, res.body).toBe(status);
      expectContractError(res.statusCode, res.body);
    });

    it('a malformed HTTP request on a real socket gets the contract body', async () => {
      const raw = await startTestService(engine);
      try {
        await raw.service.app.listen({ port: 0, host: '127.0.0.1' });
        const port = (raw.service.app.server.address() as AddressInfo).port;
        const { createConnection } = await import('node:net');
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'));
          let data = '';
          socket.on('data', (c: Buffer) => (data += c.toString()));
          socket.on('end', () => resolve(data));
          socket.on('error', reject);
        });
        expect(answer).toMatch(/^HTTP\/1\.1 400/);
        const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
        expectContractError(400, body);
      } finally {
        await raw.close();
      }
    });
  });

  it('a request on a kept-alive connection during shutdown gets a French 503 with Retry-After', async () => {
    const other = await startTestService(engine);
    let closed: Promise<void> | undefined;
    try {
      await other.service.app.listen({ port: 0, host: '127.0.0.1' });
      const server = other.service.app.server;
      const port = (server.address() as AddressInfo).port;
      // Fastify closes the listening socket once its preClose hooks (which turn on the 503) ran.
      const stoppedListening = new Promise<void>((resolve) => {
        const close = server.close.bind(server);
        server.close = ((callback?: (error?: Error) => void) => (resolve(), close(callback))) as typeof server.close;
      });
      const firstRequestIn = new Promise<void>((resolve) => server.once('request', () => resolve()));
      const { createConnection } = await import('node:net');
      const socket = createConnection({ port, host: '127.0.0.1' });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString()));
      const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      // A first request is in flight (its body half sent) when the server starts closing; the
      // client then finishes it and sends the next one on the same kept-alive connection.
      const body = JSON.stringify({ serviceId: 'diag' });
      socket.write(`POST /api/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
      await firstRequestIn;
      closed = other.service.app.close();
      await stoppedListening;
      socket.write(`${body.slice(5)}GET /api/services HTTP/1.1\r\nHost: x\r\n\r\n`);
      await ended;
      const responses = data.split(/(?=HTTP\/1\.1 )/);
      expect(responses, data).toHaveLength(2);
      expect(responses[0]).toMatch(/^HTTP\/1\.1 400/);
      const second = responses[1]!;
      expect(second, data).toMatch(/^HTTP\/1\.1 503/);
      expect(second).toMatch(/\r\nretry-after: [1-9]\d*\r\n/i);
      expect(second).toMatch(/\r\nconnection: close\r\n/i);
      expectContractError(503, second.slice(second.indexOf('\r\n\r\n') + 4), 'SERVICE_UNAVAILABLE');
    } finally {
      await closed;
      await other.close();
    }
  });

  it('contact details never reach the logs, whatever the parameter is called', async () => {
    lines.length = 0;
    const urls = [
      '/api/admin/bookings?q=jean@example.com',
      '/api/admin/bookings?q=jean%40example.com',
      '/api/admin/bookings?q=06%2012%2034%2056%2078',
      '/api/admin/bookings?q=%2B33612345678',
      '/api/bookings/public?code=AC-AB12CD&e%6Dail=jean%40example.com',
      '/api/bookings/public?code=AC-AB12CD&%65mail=paul%2Edurand%40example%2Ecom',
      '/api/availability?serviceId=diag&date=2027-03-03&x=0612345678',
    ];
    for (const url of urls) await t.inject({ method: 'GET', url, headers: adminHeaders() });
    const text = lines.join('');
    expect(text).toContain('/api/availability?serviceId=diag&date=2027-03-03');
    expect(text).not.toMatch(/jean|paul|durand|example|%40|612345678|12%2034|06 12/i);
  });

  it('an error logged with an address in its message is masked too', async () => {
    lines.length = 0;
    const res = await t.inject({
      method: 'POST',
      url: '/api/bookings',
      payload: '{"customer": {"email": "jean@example.com"',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(lines.join('')).not.toMatch(/jean@example/);
  });

  describe('body charset', () => {
    it('a booking sent in ISO-8859-1 keeps its accents', async () => {
      const date = parisDate(t.clock, 2);
      const json = JSON.stringify(bookingBody(date, '09:00', { customer: { name: 'Hélène Brûlé', email: 'helene@example.com' } }));
      const res = await t.inject({
        method: 'POST',
        url: '/api/bookings',
        payload: Buffer.from(json, 'latin1'),
        headers: { 'content-type': 'application/json; charset=iso-8859-1' },
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().booking.customer.name).toBe('Hélène Brûlé');
      const rows = await t.service.db.query<{ customer_name: string }>(`SELECT customer_name FROM bookings WHERE customer_email = 'helene@example.com'`);
      expect(rows.map((r) => r.customer_name)).toEqual(['Hélène Brûlé']);
    });

    it('UTF-8 stays the default; bytes that are not UTF-8 are refused, not stored corrupted', async () => {
      const date = parisDate(t.clock, 2);
      const json = JSON.stringify(bookingBody(date, '10:00', { customer: { name: 'Zoé Lefèvre', email: 'zoe@example.com' } }));
      const utf8 = await t.inject({ method: 'POST', url: '/api/bookings', payload: Buffer.from(json, 'utf8'), headers: { 'content-type': 'application/json' } });
      expect(utf8.statusCode, utf8.body).toBe(201);
      expect(utf8.json().booking.customer.name).toBe('Zoé Lefèvre');
      const latin1AsUtf8 = await t.inject({
        method: 'POST',
        url: '/api/bookings',
        payload: Buffer.from(json.replace('zoe@', 'zoe2@').replace('10:00', '11:00'), 'latin1'),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expectFieldDetails(latin1AsUtf8.statusCode, latin1AsUtf8.body, 'body');
      const rows = await t.service.db.query(`SELECT 1 FROM bookings WHERE customer_email = 'zoe2@example.com'`);
      expect(rows).toHaveLength(0);
    });
  });

  describe('every 400 VALIDATION_ERROR names its fields', () => {
    it('availability for 9999-12-31 and for year 0000', async () => {
      for (const date of ['9999-12-31', '0000-01-01']) {
        const res = await t.inject({ method: 'GET', url: `/api/availability?serviceId=diag&date=${date}` });
        expectFieldDetails(res.statusCode, res.body, 'date');
      }
    });

    it('a busy block in year 0000 or beyond 9999', async () => {
      for (const [start, end] of [
        ['0000-01-01T09:00:00+01:00', '0000-01-01T10:00:00+01:00'],
        ['+275760-01-01T09:00:00+01:00', '+275760-01-01T10:00:00+01:00'],
      ]) {
        const res = await t.inject({
          method: 'POST',
          url: '/api/admin/busy-blocks',
          headers: adminHeaders(),
          payload: { startDateTime: start, endDateTime: end, summary: 'Congés' },
        });
        expectFieldDetails(res.statusCode, res.body, /DateTime$/);
      }
    });

    it('a NUL in a service description or name', async () => {
      for (const [field, payload] of [
        ['description', { name: 'Pose de robinet', durationMinutes: 60, basePriceCents: 9000, description: 'avec\u0000joint' }],
        ['name', { name: 'Pose\u0000robinet', durationMinutes: 60, basePriceCents: 9000 }],
      ] as const) {
        const res = await t.inject({ method: 'POST', url: '/api/admin/services', headers: adminHeaders(), payload });
        expectFieldDetails(res.statusCode, res.body, field);
      }
      const patch = await t.inject({ method: 'PATCH', url: '/api/admin/services/diag', headers: adminHeaders(), payload: { description: 'a\u0000b' } });
      expectFieldDetails(patch.statusCode, patch.body, 'description');
    });

    it('NUL and out-of-range input on the other admin writes', async () => {
      const cases: [string, string, unknown, string | RegExp][] = [
        ['PATCH', '/api/admin/artisan', { displayName: 'Marc\u0000Dupont' }, 'displayName'],
        ['PATCH', '/api/admin/artisan', { email: 'a\u0000@example.com' }, 'email'],
        ['POST', '/api/admin/busy-blocks', { startDateTime: '2027-03-03T09:00:00+01:00', endDateTime: '2027-03-03T10:00:00+01:00', summary: 'a\u0000b' }, 'summary'],
        ['POST', '/api/admin/exceptions', { date: '9999-12-31', closed: true }, 'date'],
        ['POST', '/api/admin/bookings/AC-AB12CD/cancel', { reason: 'a\u0000b' }, 'reason'],
        ['GET', '/api/admin/bookings?from=9999-12-31&to=9999-12-31', undefined, /from|to/],
        ['GET', '/api/admin/bookings?q=a%00b', undefined, 'q'],
        ['GET', '/api/admin/busy-blocks?from=0000-01-01&to=0000-01-02', undefined, /from|to/],
        ['GET', '/api/admin/availability?serviceId=diag&date=9999-12-31', undefined, 'date'],
        ['GET', '/api/admin/customers/export?email=a%00@example.com', undefined, 'email'],
      ];
      for (const [method, url, payload, field] of cases) {
        const res = await t.inject({ method: method as 'GET', url, headers: adminHeaders(), ...(payload === undefined ? {} : { payload: payload as object }) });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(400);
        expectFieldDetails(res.statusCode, res.body, field);
      }
      // Tokens are made from the artisan's session only.
      await setDemoPassword(t.service.db);
      const { cookie, csrf } = await loginAsArtisan(t);
      const token = await t.inject({ method: 'POST', url: '/api/admin/tokens', headers: { cookie, 'x-csrf-token': csrf }, payload: { name: 'x\u0000y', scopes: ['export'] } });
      expectFieldDetails(token.statusCode, token.body, 'name');
    });
  });

  describe('X-Request-Id', () => {
    it('a short safe token is kept', async () => {
      const res = await t.inject({ method: 'GET', url: '/api/version', headers: { 'x-request-id': 'lb-7f3a.92_b:1' } });
      expect(res.headers['x-request-id']).toBe('lb-7f3a.92_b:1');
    });

    it.each([
      ['too long', 'a'.repeat(200)],
      ['spaces and markup', '<script>alert(1)</script> x'],
      ['an address', 'jean@example.com'],
      ['a newline-ish control', 'abc\tdef'],
    ])('%s is replaced by a generated id', async (_what, value) => {
      lines.length = 0;
      const res = await t.inject({ method: 'GET', url: '/api/version', headers: { 'x-request-id': value } });
      const id = String(res.headers['x-request-id']);
      expect(id).not.toBe(value);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(lines.join('')).not.toContain(value);
    });
  });

  it('SMS to a landline is refused on customer.phone; a mobile is accepted', async () => {
    const date = parisDate(t.clock, 3);
    const landline = await t.inject({
      method: 'POST',
      url: '/api/bookings',
      payload: bookingBody(date, '09:00', { customer: { name: 'Jean Martin', email: 'fixe@example.com', phone: '01 23 45 67 89' }, notifications: { email: true, sms: true } }),
    });
    expectFieldDetails(landline.statusCode, landline.body, 'customer.phone');
    expect(landline.json().error.details[0].message).toMatch(/mobile/i);
    // A landline without SMS is fine (it is a contact number).
    const noSms = await t.inject({
      method: 'POST',
      url: '/api/bookings',
      payload: bookingBody(date, '10:00', { customer: { name: 'Jean Martin', email: 'fixe@example.com', phone: '01 23 45 67 89' }, notifications: { email: true, sms: false } }),
    });
    expect(noSms.statusCode, noSms.body).toBe(201);
    const mobile = await t.inject({
      method: 'POST',
      url: '/api/bookings',
      payload: bookingBody(date, '11:00', { customer: { name: 'Jean Martin', email: 'mobile@example.com', phone: '06 12 34 56 78' }, notifications: { email: true, sms: true } }),
    });
    expect(mobile.statusCode, mobile.body).toBe(201);
  });

  it('time zone typed in the wrong case is stored as its canonical IANA name', async () => {
    const res = await t.inject({ method: 'PATCH', url: '/api/admin/artisan', headers: adminHeaders(), payload: { timezone: 'europe/paris' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().artisan.timezone).toBe('Europe/Paris');
    const read = await t.inject({ method: 'GET', url: '/api/admin/artisan', headers: adminHeaders() });
    expect(read.json().artisan.timezone).toBe('Europe/Paris');
    const availability = await t.inject({ method: 'GET', url: `/api/availability?serviceId=diag&date=${parisDate(t.clock, 3)}` });
    expect(availability.json().timezone).toBe('Europe/Paris');
    const newYork = await t.inject({ method: 'PATCH', url: '/api/admin/artisan', headers: adminHeaders(), payload: { timezone: 'america/new_york' } });
    expect(newYork.json().artisan.timezone).toBe('America/New_York');
    await t.inject({ method: 'PATCH', url: '/api/admin/artisan', headers: adminHeaders(), payload: { timezone: 'Europe/Paris' } });
  });
});
