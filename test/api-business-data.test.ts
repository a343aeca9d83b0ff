import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorAuthOn } from '../src/main.ts';
import { SECRET_LOOKING_COLUMN, WITHHELD_COLUMNS } from '../src/app/business-data.ts';
import { businessTables } from '../src/adapters/db/business-data-store.ts';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders, artisanSessionHeaders } from './helpers/admin.ts';
import { filesOf, rowsOf } from './helpers/archive.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';
import { addBusiness, type TestBusiness } from './helpers/tenants.ts';

/**
 * A business's own data (issue 19, item 4) with two businesses built alike (same service ids,
 * the same customer e-mail): the artisan's "Exporter mes données" holds its business only and
 * no secret; the operator exports any business, schedules its deletion (suspended at once,
 * cancellable, the paid bookings to come listed), and the worker purges it after the grace
 * period, leaving every row of the other business as it was. Clock: Monday 2027-03-01.
 */
const CUSTOMER = { name: 'Claire Petit', email: 'claire.petit@example.fr', phone: '+33612345678' };
const OPERATOR = { email: 'exploitation@hebergeur.fr', password: 'une-phrase-de-passe-operateur' };
const FUTURE = 'zz_future_notes';
const DAY = 86_400_000;
const cookieOf = (res: { headers: Record<string, unknown> }, name: string): string => new RegExp(`${name}=[^;]+`).exec(String(res.headers['set-cookie']))![0];

describe.each(ENGINES)('a business’s own data on %s', (engine) => {
  let t: TestService;
  let demo: TestBusiness;
  let other: TestBusiness;
  const codes: Record<string, string> = {};
  let op: Record<string, string>;

  /** Rows of each business table (and its artisans row) of a business. */
  const countsOf = async (artisanId: string): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    for (const table of await businessTables(t.service.db)) {
      counts[table.name] = (await t.service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table.name} WHERE artisan_id = $1`, [artisanId]))[0]!.n;
    }
    counts.artisans = (await t.service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM artisans WHERE id = $1', [artisanId]))[0]!.n;
    return counts;
  };

  beforeAll(async () => {
    t = await startTestService(engine);
    t.clock.set('2027-03-01T08:00:00Z');
    const demoId = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demoId]);
    demo = { id: demoId, slug: 'plomberie-dupont', token: '', tokenId: '' };
    other = await addBusiness(t.service.db, demoId, 'chauffage-martin', 'Chauffage Martin');
    for (const who of [demo, other]) {
      const res = await t.request('POST', `/${who.slug}/api/bookings`, bookingBody(parisDate(t.clock, 2), '10:00', { customer: CUSTOMER }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      codes[who.id] = res.body.booking.publicCode;
    }
    while ((await t.service.worker.runOnce()) > 0);
    // A table added later, as a future migration would: exported and purged without a code change.
    await t.service.db.exec(`CREATE TABLE ${FUTURE} (artisan_id uuid NOT NULL REFERENCES artisans (id), id integer NOT NULL, body text NOT NULL, PRIMARY KEY (artisan_id, id))`);
    await t.service.db.query(`INSERT INTO ${FUTURE} VALUES ($1, 1, 'note de Dupont'), ($2, 1, 'note de Martin')`, [demo.id, other.id]);
    await operatorAuthOn(t.service.db).create(OPERATOR.email, OPERATOR.password);
    const login = await t.request('POST', '/api/operator/login', OPERATOR);
    expect(login.status).toBe(200);
    op = { cookie: cookieOf(login, 'ac_operator'), 'x-csrf-token': login.body.csrfToken };
  }, 120_000);
  afterAll(async () => t?.close());

  it('every live column that looks like a secret is withheld from exports, by an explicit list', async () => {
    const secretLooking = (await businessTables(t.service.db)).flatMap((table) => table.columns.filter((c) => SECRET_LOOKING_COLUMN.test(c)).map((c) => `${table.name}.${c}`));
    expect(secretLooking.length).toBeGreaterThan(5);
    for (const column of secretLooking) {
      const [table, name] = column.split('.') as [string, string];
      expect(WITHHELD_COLUMNS[table] ?? [], column).toContain(name);
    }
  });

  it("the artisan's export holds every row of its own business, none of the other's, and no secret", async () => {
    const session = await artisanSessionHeaders(t);
    // Secrets as stored, to look for in the archive's bytes.
    const secrets = [
      ...(await t.service.db.query<{ v: string }>('SELECT password_hash AS v FROM admin_users')),
      ...(await t.service.db.query<{ v: string }>('SELECT token_hash AS v FROM admin_sessions UNION ALL SELECT csrf_token FROM admin_sessions')),
      ...(await t.service.db.query<{ v: string }>('SELECT token_hash AS v FROM api_tokens')),
    ].map((r) => r.v);
    expect(secrets.length).toBeGreaterThanOrEqual(4);

    const res = await t.inject({ method: 'GET', url: '/api/admin/export', headers: session });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="artisanconnect-export-plomberie-dupont-20270301T080000Z\.tar\.gz"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const files = await filesOf(res.rawPayload);
    const manifest = JSON.parse(files.get('manifest.json')!);
    const [{ display_name: name }] = (await t.service.db.query<{ display_name: string }>('SELECT display_name FROM artisans WHERE id = $1', [demo.id])) as [{ display_name: string }];
    expect(manifest).toMatchObject({ formatVersion: 1, format: 'ndjson', business: { id: demo.id, displayName: name, slug: 'plomberie-dupont' }, exportedAt: '2027-03-01T08:00:00.000Z' });
    expect(files.get('LISEZMOI.txt')).toContain(`Export des données de ${name}`);

    // Every business table is there, the future one too, with the counts of the database.
    const expected = await countsOf(demo.id);
    expect(Object.fromEntries(manifest.tables.map((x: { name: string; rows: number }) => [x.name, x.rows]))).toEqual(expected);
    expect(expected[FUTURE]).toBe(1);
    for (const [table, n] of Object.entries(expected)) expect(rowsOf(files.get(`tables/${table}.ndjson`)), table).toHaveLength(n);
    expect(rowsOf(files.get(`tables/${FUTURE}.ndjson`))).toEqual([{ artisan_id: demo.id, id: 1, body: 'note de Dupont' }]);

    // Only this business: its rows, its booking; the other's id and code are nowhere.
    const all = [...files.values()].join('\n');
    for (const [name, text] of files) {
      if (!name.startsWith('tables/')) continue;
      for (const row of rowsOf(text)) expect(name === 'tables/artisans.ndjson' ? row.id : row.artisan_id, name).toBe(demo.id);
    }
    expect(rowsOf(files.get('tables/bookings.ndjson')).map((b) => [b.public_code, b.customer_email])).toEqual([[codes[demo.id], CUSTOMER.email]]);
    expect(all).not.toContain(other.id);
    expect(all).not.toContain(codes[other.id]);
    expect(all).not.toContain('Chauffage Martin');

    // No secret, and no withheld column in any row.
    for (const secret of secrets) expect(all.includes(secret), 'a secret is in the export').toBe(false);
    for (const [table, columns] of Object.entries(WITHHELD_COLUMNS)) {
      for (const row of rowsOf(files.get(`tables/${table}.ndjson`))) for (const c of columns) expect(row, `${table}.${c}`).not.toHaveProperty(c);
    }
    expect(rowsOf(files.get('tables/admin_users.ndjson'))[0]).toHaveProperty('email');
  });

  it('the whole-database backup is no longer reachable by an artisan; the export needs the session', async () => {
    const session = await artisanSessionHeaders(t);
    expect((await t.inject({ method: 'GET', url: '/api/admin/backup', headers: session })).statusCode).toBe(404);
    expect((await t.inject({ method: 'GET', url: '/api/admin/export', headers: adminHeaders() })).statusCode).toBe(403);
    expect((await t.inject({ method: 'GET', url: '/api/admin/export' })).statusCode).toBe(401);
    // The operator's routes open to no artisan.
    expect((await t.inject({ method: 'GET', url: '/api/operator/backup', headers: session })).statusCode).toBe(401);
    expect((await t.inject({ method: 'GET', url: `/api/operator/businesses/${demo.id}/export`, headers: adminHeaders() })).statusCode).toBe(401);
  });

  it('the operator exports any business, and the export is in the audit', async () => {
    const res = await t.inject({ method: 'GET', url: `/api/operator/businesses/${other.id}/export`, headers: op });
    expect(res.statusCode, res.body).toBe(200);
    const files = await filesOf(res.rawPayload);
    expect(JSON.parse(files.get('manifest.json')!).business.id).toBe(other.id);
    expect(rowsOf(files.get('tables/bookings.ndjson')).map((b) => b.public_code)).toEqual([codes[other.id]]);
    expect([...files.values()].join('\n')).not.toContain(demo.id);
    const missing = await t.request('GET', '/api/operator/businesses/00000000-0000-4000-8000-000000000000/export', undefined, op);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('BUSINESS_NOT_FOUND');
    const audit = await t.request('GET', '/api/operator/audit', undefined, op);
    expect(audit.body.entries[0]).toMatchObject({ action: 'export', artisanId: other.id, artisanName: 'Chauffage Martin', operatorEmail: OPERATOR.email });
  });

  it('a deletion lists the paid bookings to come, suspends at once, shows its date and can be cancelled', async () => {
    // Both bookings had their deposit taken (the demo's service asks for one); the other's is not paid any more.
    await t.service.db.query(`UPDATE bookings SET payment_status = 'refunded' WHERE artisan_id = $1`, [demo.id]);
    const preview = await t.request('GET', `/api/operator/businesses/${other.id}/deletion`, undefined, op);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ scheduled: false, graceDays: 30, deletionDueAt: '2027-03-31T08:00:00.000Z' });
    expect(preview.body.upcomingPaidBookings).toEqual([
      { publicCode: codes[other.id], startsAt: expect.any(String), serviceName: expect.any(String), customerName: CUSTOMER.name, depositCents: expect.any(Number), paymentStatus: 'captured' },
    ]);
    // The demo's deposit was refunded: nothing to settle there.
    expect((await t.request('GET', `/api/operator/businesses/${demo.id}/deletion`, undefined, op)).body.upcomingPaidBookings).toEqual([]);

    expect((await t.request('POST', `/api/operator/businesses/${other.id}/deletion`, undefined, { cookie: op.cookie! })).status).toBe(403);
    const scheduled = await t.request('POST', `/api/operator/businesses/${other.id}/deletion`, undefined, op);
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
    expect(scheduled.body).toMatchObject({ scheduled: true, deletionDueAt: '2027-03-31T08:00:00.000Z' });
    const listed = (await t.request('GET', '/api/operator/businesses', undefined, op)).body.businesses.find((b: { artisanId: string }) => b.artisanId === other.id);
    expect(listed).toMatchObject({ status: 'suspended', deletionDueAt: '2027-03-31T08:00:00.000Z' });
    const booking = await t.request('POST', `/${other.slug}/api/bookings`, bookingBody(parisDate(t.clock, 3), '10:00'));
    expect(booking.status).toBe(409);
    expect(booking.body.error.code).toBe('BUSINESS_SUSPENDED');

    const resume = await t.request('POST', `/api/operator/businesses/${other.id}/resume`, undefined, op);
    expect(resume.status).toBe(409);
    expect(resume.body.error.code).toBe('BUSINESS_DELETION_SCHEDULED');
    expect((await t.request('DELETE', `/api/operator/businesses/${other.id}/deletion`, undefined, op)).status).toBe(204);
    const kept = (await t.request('GET', '/api/operator/businesses', undefined, op)).body.businesses.find((b: { artisanId: string }) => b.artisanId === other.id);
    expect(kept).toMatchObject({ status: 'suspended', deletionDueAt: null });
    const audit = await t.request('GET', '/api/operator/audit', undefined, op);
    expect(audit.body.entries.slice(0, 2).map((e: { action: string; details: Record<string, string> }) => [e.action, e.details])).toEqual([
      ['cancel_deletion', { dueAt: '2027-03-31T08:00:00.000Z' }],
      ['schedule_deletion', { dueAt: '2027-03-31T08:00:00.000Z' }],
    ]);
  });

  it('after the grace period the worker deletes every row of the business and nothing of the other', async () => {
    expect((await t.request('POST', `/api/operator/businesses/${other.id}/deletion`, undefined, op)).status).toBe(200);
    // A day before the date: kept. (The hourly sweeps have run: sessions past their end are gone.)
    t.clock.ms += 29 * DAY;
    await t.service.worker.runOnce();
    const demoBefore = await countsOf(demo.id);
    const otherBefore = await countsOf(other.id);
    expect(otherBefore.artisans).toBe(1);
    expect(otherBefore.bookings).toBe(1);
    expect(otherBefore.services).toBeGreaterThan(0);
    expect(otherBefore[FUTURE]).toBe(1);
    t.clock.ms += 1 * DAY;
    await t.service.worker.runOnce();

    const otherAfter = await countsOf(other.id);
    expect(Object.values(otherAfter).every((n) => n === 0), JSON.stringify(otherAfter)).toBe(true);
    expect(await countsOf(demo.id)).toEqual(demoBefore);
    // A month later the operator signs in again.
    const login = await t.request('POST', '/api/operator/login', OPERATOR);
    op = { cookie: cookieOf(login, 'ac_operator'), 'x-csrf-token': login.body.csrfToken };
    const audit = await t.request('GET', '/api/operator/audit', undefined, op);
    const rows = Object.values(otherBefore).reduce((a, b) => a + b, 0);
    expect(audit.body.entries[0]).toMatchObject({ action: 'delete', artisanId: other.id, artisanName: 'Chauffage Martin', operatorEmail: OPERATOR.email, details: { rows: String(rows) } });
    expect((await t.request('GET', `/api/operator/businesses/${other.id}/deletion`, undefined, op)).status).toBe(404);
    // The demo still takes bookings.
    expect((await t.request('POST', `/${demo.slug}/api/bookings`, bookingBody(parisDate(t.clock, 2), '14:00'))).status).toBe(201);
  });
});
