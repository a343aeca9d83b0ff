import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ENGINES } from './helpers/db.ts';
import { DEMO_ARTISAN_EMAIL, adminHeaders, artisanSessionHeaders, operatorSessionHeaders } from './helpers/admin.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { addBusiness } from './helpers/tenants.ts';

/**
 * The Business plan's members (issue 20, items 1–2): the business's login is its owner;
 * members are invited by e-mail (a real SMTP server), choose their password with the
 * single-use link and sign in to the same back office, which refuses what their role does not
 * allow; leaving Business deactivates them, keeping their data; another business's member ids
 * answer as missing.
 */

const PASSWORD = 'mot-de-passe-du-membre-1';

async function mailsTo(smtp: TestSmtp, address: string, count: number) {
  for (let i = 0; i < 100 && smtp.to(address).length < count; i++) await new Promise((r) => setTimeout(r, 50));
  return smtp.to(address);
}
const tokenIn = (text: string): string => new URL(/https:\/\/rdv\.example\.fr\/\S+/.exec(text)![0]).searchParams.get('token')!;

describe.each(ENGINES)('members and roles on %s', (engine) => {
  const smtp = new TestSmtp();
  let t: TestService;
  let owner: Record<string, string>;
  let operator: Record<string, string>;
  let artisanId: string;

  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = owner) =>
    t.request(method, `/api/admin${url}`, body, headers);
  const setPlan = async (plan: string) => {
    const res = await t.request('PUT', `/api/operator/businesses/${artisanId}/plan`, { plan }, operator);
    expect(res.status, JSON.stringify(res.body)).toBe(204);
  };
  /** Invites a member, opens the e-mailed link, sets the password, signs in: the session's headers. */
  const join = async (name: string, email: string, role: string) => {
    const invited = await admin('POST', '/members', { name, email, role });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    expect(invited.body).toMatchObject({ emailSent: true, member: { name, email, role, active: true, joined: false } });
    // No password yet: the member cannot sign in before opening the invitation.
    expect((await t.request('POST', '/api/admin/login', { email, password: PASSWORD })).status).toBe(401);
    const [mail] = await mailsTo(smtp, email, 1);
    expect(mail!.mail.subject).toContain('vous invite sur ArtisanConnect');
    expect(mail!.mail.text).toContain('dans les 7 jours');
    const token = tokenIn(mail!.mail.text!);
    expect((await t.request('POST', '/api/admin/password/reset', { token, password: PASSWORD })).status).toBe(204);
    // Single use: the link opens nothing the second time.
    expect((await t.request('POST', '/api/admin/password/reset', { token, password: `${PASSWORD}-2` })).body.error.code).toBe('RESET_LINK_INVALID');
    const login = await t.request('POST', '/api/admin/login', { email, password: PASSWORD });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    expect(login.body).toMatchObject({ via: 'session', role, memberId: invited.body.member.id });
    const cookie = /ac_session=[^;]+/.exec(String(login.headers['set-cookie']))![0];
    return { id: invited.body.member.id as string, headers: { cookie, 'x-csrf-token': login.body.csrfToken as string } };
  };
  const phoneBooking = async (date: string, time: string) => {
    const res = await t.request('POST', '/api/admin/bookings', { ...bookingBody(date, time), customer: { name: 'Mme Leroy', email: 'leroy@example.fr', phone: '06 12 34 56 78' } }, adminHeaders());
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };

  beforeAll(async () => {
    await smtp.start();
    t = await startTestService(engine, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'ArtisanConnect <ne-pas-repondre@artisanconnect.test>', PUBLIC_BASE_URL: 'https://rdv.example.fr' } });
    owner = await artisanSessionHeaders(t);
    operator = await operatorSessionHeaders(t.service);
    artisanId = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.received = [];
  });

  it('a one-member business: its login is the owner, its answers carry no team or technician, inviting needs Business', async () => {
    await setPlan('pro');
    const list = await admin('GET', '/members');
    expect(list.status).toBe(200);
    expect(list.body.members).toEqual([
      expect.objectContaining({ email: DEMO_ARTISAN_EMAIL, role: 'owner', active: true, joined: true, invitedAt: null, teamIds: [] }),
    ]);
    expect((await admin('GET', '/me')).body).toMatchObject({ role: 'owner', memberId: list.body.members[0].id });
    const code = await phoneBooking('2027-03-10', '09:00');
    const detail = await admin('GET', `/bookings/${code}`);
    expect(detail.status).toBe(200);
    expect(detail.body.booking).not.toHaveProperty('technicianId');
    expect(detail.body.booking).not.toHaveProperty('teamId');
    const agenda = await admin('GET', '/agenda?week=2027-03-10');
    expect(Object.keys(agenda.body.bookings.find((b: { publicCode: string }) => b.publicCode === code)).sort()).toEqual(
      ['amountDueCents', 'channel', 'customer', 'date', 'durationMinutes', 'endDateTime', 'publicCode', 'serviceId', 'serviceName', 'startDateTime', 'status', 'time'],
    );

    const refused = await admin('POST', '/members', { name: 'Paul Tech', email: 'paul@plomberie.test', role: 'technician' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({ code: 'PLAN_LIMIT_REACHED', message: expect.stringMatching(/offre Business/) });
    expect(smtp.to('paul@plomberie.test')).toHaveLength(0);
    // The owner cannot leave the business without an owner.
    const last = await admin('PATCH', `/members/${list.body.members[0].id}`, { role: 'office' });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('LAST_OWNER');
  });

  it('Business: invitation, password, sign-in; roles enforced; another business’s ids answer as missing; a downgrade deactivates the members and keeps their data', async () => {
    await setPlan('business');
    const paul = await join('Paul Tech', 'paul@plomberie.test', 'technician');
    const lea = await join('Léa Tech', 'lea@plomberie.test', 'technician');
    const office = await join('Sophie Bureau', 'sophie@plomberie.test', 'office');
    // An address that already has an account anywhere on the instance is refused.
    expect((await admin('POST', '/members', { name: 'Double', email: DEMO_ARTISAN_EMAIL, role: 'office' })).body.error.code).toBe('EMAIL_TAKEN');

    const paulsBooking = await phoneBooking('2027-03-10', '10:00');
    const leasBooking = await phoneBooking('2027-03-10', '11:00');
    const nobodys = await phoneBooking('2027-03-10', '14:00');
    // Created bookings are routed to a free technician (test/api-team-routing.test.ts): this one is taken back.
    expect((await admin('PUT', `/bookings/${nobodys}/assignment`, { technicianId: null, teamId: null })).status).toBe(204);
    const team = await admin('POST', '/teams', { name: 'Équipe chauffage', memberIds: [paul.id, lea.id] });
    expect(team.status, JSON.stringify(team.body)).toBe(201);
    expect(new Set(team.body.team.memberIds)).toEqual(new Set([paul.id, lea.id]));
    expect((await admin('PUT', `/bookings/${paulsBooking}/assignment`, { technicianId: paul.id, teamId: team.body.team.id })).status).toBe(204);
    // The office gives Léa hers.
    expect((await admin('PUT', `/bookings/${leasBooking}/assignment`, { technicianId: lea.id, teamId: null }, office.headers)).status).toBe(204);
    const given = await admin('GET', `/bookings/${paulsBooking}`);
    expect(given.body.booking).toMatchObject({ technicianId: paul.id, teamId: team.body.team.id });
    expect(given.body.history.map((h: { type: string }) => h.type)).toContain('assigned');
    // The office's week agenda says who each booking is given to (only when given).
    const week = (await admin('GET', '/agenda?week=2027-03-10', undefined, office.headers)).body.bookings as { publicCode: string; technicianId?: string; teamId?: string }[];
    expect(week.find((b) => b.publicCode === paulsBooking)).toMatchObject({ technicianId: paul.id, teamId: team.body.team.id });
    expect(week.find((b) => b.publicCode === leasBooking)).toMatchObject({ technicianId: lea.id });
    expect(week.find((b) => b.publicCode === leasBooking)).not.toHaveProperty('teamId');
    expect(week.find((b) => b.publicCode === nobodys)).not.toHaveProperty('technicianId');
    // Never on the customer's side.
    const publicView = await t.request('GET', `/api/bookings/public?code=${paulsBooking}&email=leroy@example.fr`);
    expect(publicView.status).toBe(200);
    expect(JSON.stringify(publicView.body)).not.toContain(paul.id);
    expect(JSON.stringify(publicView.body)).not.toContain(team.body.team.id);

    // A technician: their own bookings only; another's answers exactly as a missing one; settings refused.
    const own = await admin('GET', '/bookings?from=2027-03-10&to=2027-03-10', undefined, paul.headers);
    expect(own.status).toBe(200);
    expect(own.body.bookings.map((b: { publicCode: string }) => b.publicCode)).toEqual([paulsBooking]);
    expect((await admin('GET', `/bookings/${paulsBooking}`, undefined, paul.headers)).status).toBe(200);
    const others = await admin('GET', `/bookings/${leasBooking}`, undefined, paul.headers);
    const missing = await admin('GET', '/bookings/AC-ZZZZZZ', undefined, paul.headers);
    expect(others.status).toBe(404);
    expect(others.body).toEqual(missing.body);
    expect((await admin('GET', `/bookings/${nobodys}`, undefined, paul.headers)).status).toBe(404);
    for (const [method, url, body] of [
      ['GET', '/artisan'],
      ['PATCH', '/artisan', { displayName: 'Pris en main' }],
      ['GET', '/members'],
      ['GET', '/agenda'],
      ['POST', `/bookings/${leasBooking}/cancel`, {}],
      ['PUT', `/bookings/${leasBooking}/assignment`, { technicianId: paul.id, teamId: null }],
    ] as const) {
      const res = await admin(method, url, body, paul.headers);
      expect(res.status, `${method} ${url}`).toBe(403);
      expect(res.body.error).toEqual({ code: 'ROLE_FORBIDDEN', message: expect.stringMatching(/Votre rôle/) });
    }
    expect((await admin('GET', '/me', undefined, paul.headers)).body).toMatchObject({ role: 'technician', email: 'paul@plomberie.test' });

    // The office: settings and every booking, not the payment account, API tokens, nor the owner.
    expect((await admin('GET', '/artisan', undefined, office.headers)).status).toBe(200);
    expect((await admin('GET', `/bookings/${paulsBooking}`, undefined, office.headers)).status).toBe(200);
    for (const [method, url] of [['GET', '/payment-account'], ['GET', '/tokens']] as const) {
      expect((await admin(method, url, undefined, office.headers)).body.error?.code, url).toBe('ROLE_FORBIDDEN');
    }
    expect((await admin('POST', '/members', { name: 'Autre', email: 'autre@plomberie.test', role: 'owner' }, office.headers)).body.error.code).toBe('ROLE_FORBIDDEN');
    const ownerId = (await admin('GET', '/me')).body.memberId as string;
    expect((await admin('DELETE', `/members/${ownerId}`, undefined, office.headers)).body.error.code).toBe('ROLE_FORBIDDEN');

    // Another business's member and team ids answer exactly as unknown ones.
    const other = await addBusiness(t.service.db, artisanId, 'chauffage-martin', 'Chauffage Martin');
    const stranger = randomUUID();
    await t.service.db.query(
      `INSERT INTO admin_users (id, artisan_id, email, password_hash, password_changed_at, created_at, role) VALUES ($1, $2, 'tech@martin.test', 'x', now(), now(), 'technician')`,
      [stranger, other.id],
    );
    const otherTeam = (await t.request('POST', '/api/admin/teams', { name: 'Nord', memberIds: [stranger] }, { authorization: `Bearer ${other.token}` })).body.team.id as string;
    const unknown = randomUUID();
    for (const [url, method, body] of [
      [`/members/${stranger}`, 'GET', undefined],
      [`/members/${stranger}`, 'PATCH', { name: 'Pris' }],
      [`/bookings/${paulsBooking}/assignment`, 'PUT', { technicianId: stranger, teamId: null }],
    ] as const) {
      const theirs = await admin(method, url, body);
      const none = await admin(method, url.replace(stranger, unknown), body && 'technicianId' in body ? { technicianId: unknown, teamId: null } : body);
      expect(theirs.status, url).toBe(404);
      expect(theirs.body, url).toEqual(none.body);
    }
    const theirTeam = await admin('PUT', `/bookings/${paulsBooking}/assignment`, { technicianId: null, teamId: otherTeam });
    expect(theirTeam.status).toBe(404);
    expect(theirTeam.body).toEqual((await admin('PUT', `/bookings/${paulsBooking}/assignment`, { technicianId: null, teamId: unknown })).body);
    expect((await admin('POST', '/teams', { name: 'Mixte', memberIds: [stranger] })).body.error.code).toBe('MEMBER_NOT_FOUND');
    expect((await t.request('GET', `/api/admin/bookings/${paulsBooking}`, undefined, { authorization: `Bearer ${other.token}` })).status).toBe(404);

    // Going down to Pro: every member but the owner is deactivated and signed out; their data stays.
    await setPlan('pro');
    for (const member of [paul, lea, office]) expect((await admin('GET', '/me', undefined, member.headers)).status).toBe(401);
    expect((await t.request('POST', '/api/admin/login', { email: 'paul@plomberie.test', password: PASSWORD })).status).toBe(401);
    const after = (await admin('GET', '/members')).body.members as { id: string; role: string; active: boolean; teamIds: string[] }[];
    expect(Object.fromEntries(after.map((m) => [m.id, m.active]))).toEqual({ [ownerId]: true, [paul.id]: false, [lea.id]: false, [office.id]: false });
    expect(after.find((m) => m.id === paul.id)!.teamIds).toEqual([team.body.team.id]);
    expect((await admin('GET', `/bookings/${paulsBooking}`)).body.booking.technicianId).toBe(paul.id);
    // Reactivating one needs Business again.
    expect((await admin('PATCH', `/members/${paul.id}`, { active: true })).body.error.code).toBe('PLAN_LIMIT_REACHED');
    await setPlan('business');
    const back = await admin('PATCH', `/members/${paul.id}`, { active: true, priority: 5 });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.member).toMatchObject({ active: true, priority: 5 });
    expect((await t.request('POST', '/api/admin/login', { email: 'paul@plomberie.test', password: PASSWORD })).status).toBe(200);
    // Deactivating by the owner signs the member out at once.
    const relogin = await t.request('POST', '/api/admin/login', { email: 'paul@plomberie.test', password: PASSWORD });
    const cookie = /ac_session=[^;]+/.exec(String(relogin.headers['set-cookie']))![0];
    expect((await admin('DELETE', `/members/${paul.id}`)).body.member.active).toBe(false);
    expect((await admin('GET', '/me', undefined, { cookie })).status).toBe(401);
  });
});
