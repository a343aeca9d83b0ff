import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operatorAuthOn } from '../src/main.ts';
import { ENGINES, type Engine } from './helpers/db.ts';
import { DEMO_ARTISAN_EMAIL } from './helpers/admin.ts';
import { startTestService, type TestService } from './helpers/service.ts';
import { TestSmtp } from './helpers/smtp.ts';

/**
 * Self-service sign-up (issue 19, item 3), through the real service and a real SMTP server:
 * every field error at once, taken and reserved slugs, accents transliterated, a business
 * unreachable until its e-mailed link is opened (once, within 24 h), SIGNUP's three modes,
 * per-IP limits, and the new owner's session seeing only its own business.
 */

const OPERATOR = { email: 'ops@hebergeur.fr', password: 'une-phrase-de-passe-operateur' };
const PASSWORD = 'un-mot-de-passe-tres-solide';
const cookieOf = (res: { headers: Record<string, unknown> }, name: string): string => new RegExp(`${name}=[^;]+`).exec(String(res.headers['set-cookie']))![0];

async function mailsTo(smtp: TestSmtp, address: string, count: number) {
  for (let i = 0; i < 100 && smtp.to(address).length < count; i++) await new Promise((r) => setTimeout(r, 50));
  return smtp.to(address);
}
const linkIn = (text: string): URL => new URL(/https:\/\/rdv\.example\.fr\/\S+/.exec(text)![0]);

const body = (over: Record<string, unknown> = {}) => ({
  displayName: 'Plomberie Durand',
  trade: 'Plombier',
  slug: 'plomberie-durand',
  timezone: 'Europe/Paris',
  email: 'paul@plomberie-durand.fr',
  phone: '06 12 34 56 78',
  password: PASSWORD,
  ...over,
});

async function operatorSession(t: TestService) {
  const res = await t.request('POST', '/api/operator/login', OPERATOR);
  expect(res.status).toBe(200);
  return { cookie: cookieOf(res, 'ac_operator'), 'x-csrf-token': res.body.csrfToken as string };
}

async function start(engine: Engine, smtp: TestSmtp | undefined, env: Record<string, string>): Promise<TestService> {
  const t = await startTestService(engine, {
    env: { PUBLIC_BASE_URL: 'https://rdv.example.fr', MAIL_FROM: 'ArtisanConnect <ne-pas-repondre@artisanconnect.test>', ...(smtp ? { SMTP_URL: smtp.url } : {}), ...env },
  });
  await operatorAuthOn(t.service.db).create(OPERATOR.email, OPERATOR.password);
  return t;
}

describe.each(ENGINES)('sign-up open to anyone on %s', (engine) => {
  const smtp = new TestSmtp();
  let t: TestService;
  beforeAll(async () => {
    await smtp.start();
    t = await start(engine, smtp, { SIGNUP: 'open' });
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.received = [];
  });
  const count = async () => (await t.service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM artisans'))[0]!.n;

  it('bad input: one 400 lists every field problem, in French, and writes nothing', async () => {
    const before = await count();
    const res = await t.request('POST', '/api/signup', body({ displayName: '  ', slug: 'Plomberie Durand!', timezone: 'Europe/Atlantis', email: 'paul@', phone: '12', password: 'court' }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['displayName', 'slug', 'timezone', 'email', 'phone', 'password']);
    expect(res.body.error.details.find((d: { field: string }) => d.field === 'password').message).toBe('Le mot de passe doit contenir au moins 10 caractères.');
    const reserved = await t.request('POST', '/api/signup', body({ slug: 'admin' }));
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.details).toEqual([{ field: 'slug', message: 'Cette adresse est réservée : choisissez-en une autre.' }]);
    expect(await count()).toBe(before);
    expect(smtp.received).toHaveLength(0);
  });

  it('suggests a slug from the name, accents transliterated; a reserved or malformed one is refused with its reason', async () => {
    const suggested = await t.request('GET', `/api/signup/slug?name=${encodeURIComponent('Électricité Bérénice & Fils')}`);
    expect(suggested.body).toEqual({ slug: 'electricite-berenice-et-fils', available: true });
    const reserved = await t.request('GET', '/api/signup/slug?slug=inscription');
    expect(reserved.body).toEqual({ slug: 'inscription', available: false, message: 'Cette adresse est réservée : choisissez-en une autre.' });
    const malformed = await t.request('GET', '/api/signup/slug?slug=plomberie--dupont');
    expect(malformed.body.available).toBe(false);
    expect(malformed.body.message).toMatch(/tirets simples/);
  });

  it('an unconfirmed business answers like an unknown one; its link publishes it once and signs the owner in, who sees only their business', async () => {
    const res = await t.request('POST', '/api/signup', body({ displayName: 'Électricité Bérénice', slug: 'electricite-berenice', email: 'Berenice@Elec.fr', trade: 'Électricien' }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ email: 'berenice@elec.fr', slug: 'electricite-berenice' });
    expect(res.body.message).toMatch(/Un e-mail vient d'être envoyé à berenice@elec\.fr/);

    const [mail] = await mailsTo(smtp, 'berenice@elec.fr', 1);
    expect(mail!.mail.subject).toBe('Confirmez votre adresse — ArtisanConnect');
    expect(mail!.mail.text).toContain('« Électricité Bérénice »');
    const link = linkIn(mail!.mail.text!);
    expect(link.pathname).toBe('/inscription/confirmer');
    const token = link.searchParams.get('token')!;
    // Kept hashed: the secret is nowhere in the table.
    const rows = await t.service.db.query<Record<string, unknown>>('SELECT * FROM signup_confirmations');
    expect(JSON.stringify(rows)).not.toContain(token.split('.')[1]);

    // Unpublished: exactly the unknown business's answer; the owner cannot sign in; the demo stays the sole business.
    const unknown = await t.request('GET', '/nobody-here/api/services');
    const pending = await t.request('GET', '/electricite-berenice/api/services');
    expect(pending.status).toBe(404);
    expect(pending.body).toEqual(unknown.body);
    expect(pending.body.error.code).toBe('BUSINESS_NOT_FOUND');
    expect((await t.request('GET', '/electricite-berenice')).status).toBe(404);
    expect((await t.request('POST', '/api/admin/login', { email: 'berenice@elec.fr', password: PASSWORD })).status).toBe(401);
    expect((await t.request('GET', '/api/services')).status).toBe(200);
    const op = await operatorSession(t);
    const listed = (await t.request('GET', '/api/operator/businesses', undefined, op)).body.businesses;
    expect(listed.find((b: { displayName: string }) => b.displayName === 'Électricité Bérénice').status).toBe('unconfirmed');

    const confirmed = await t.request('POST', '/api/signup/confirm', { token });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
    expect(confirmed.body).toMatchObject({ email: 'berenice@elec.fr', displayName: 'Électricité Bérénice', plan: 'starter', timezone: 'Europe/Paris' });
    const session = { cookie: cookieOf(confirmed, 'ac_session'), 'x-csrf-token': confirmed.body.csrfToken as string };
    // Single use.
    const again = await t.request('POST', '/api/signup/confirm', { token });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('SIGNUP_LINK_INVALID');

    // Published at once; the instance now has two businesses: bare paths no longer pick one.
    const services = await t.request('GET', '/electricite-berenice/api/services');
    expect(services.status).toBe(200);
    expect(services.body).toEqual({ services: [] });
    expect((await t.request('GET', '/api/services')).status).toBe(404);
    expect((await t.request('POST', '/api/admin/login', { email: 'berenice@elec.fr', password: PASSWORD })).status).toBe(200);
    const after = (await t.request('GET', '/api/operator/businesses', undefined, op)).body.businesses;
    expect(after.find((b: { displayName: string }) => b.displayName === 'Électricité Bérénice').status).toBe('active');

    // Isolation: the owner's session sees its own (empty) catalogue and setup, never the demo's.
    const mine = await t.request('GET', '/api/admin/services', undefined, session);
    expect(mine.status).toBe(200);
    expect(JSON.stringify(mine.body)).not.toContain('diag');
    const checklist = await t.request('GET', '/api/admin/setup-checklist', undefined, session);
    expect(checklist.body).toMatchObject({ hours: false, service: false, ready: false });
    const profile = await t.service.db.query<{ trade: string; phone: string | null; slug: string }>(`SELECT trade, phone, slug FROM artisans WHERE slug = 'electricite-berenice'`);
    expect(profile).toEqual([{ trade: 'Électricien', phone: '+33612345678', slug: 'electricite-berenice' }]);
  });

  it('a taken slug or e-mail is all a visitor learns (409), nothing is written', async () => {
    expect((await t.request('POST', '/api/signup', body({ slug: 'plomberie-martin', email: 'martin@plomberie.fr' }))).status).toBe(201);
    const before = await count();
    const slug = await t.request('POST', '/api/signup', body({ slug: 'plomberie-martin', email: 'autre@plomberie.fr' }));
    expect(slug.status).toBe(409);
    expect(slug.body.error).toMatchObject({ code: 'SLUG_TAKEN', message: 'Cette adresse est déjà prise : choisissez-en une autre.' });
    const email = await t.request('POST', '/api/signup', body({ slug: 'plomberie-libre', email: DEMO_ARTISAN_EMAIL.toUpperCase() }));
    expect(email.status).toBe(409);
    expect(email.body.error.code).toBe('EMAIL_TAKEN');
    expect(email.body.error.message).toMatch(/^Un espace existe déjà avec cette adresse e-mail/);
    expect(await count()).toBe(before);
    expect(await t.request('GET', '/api/signup/slug?slug=plomberie-martin')).toMatchObject({ body: { slug: 'plomberie-martin', available: false, message: 'Cette adresse est déjà prise.' } });
    // The name's suggestion moves on to a free one.
    expect((await t.request('GET', '/api/signup/slug?name=Plomberie%20Martin')).body).toEqual({ slug: 'plomberie-martin-2', available: true });
  });

  it('a link expires after 24 h; a new one can be asked (same answer for any address) and works', async () => {
    expect((await t.request('POST', '/api/signup', body({ slug: 'chauffage-roux', email: 'roux@chauffage.fr' }))).status).toBe(201);
    const [first] = await mailsTo(smtp, 'roux@chauffage.fr', 1);
    const oldToken = linkIn(first!.mail.text!).searchParams.get('token')!;
    const startMs = t.clock.ms;
    t.clock.advance(24 * 60 + 1);
    try {
      const expired = await t.request('POST', '/api/signup/confirm', { token: oldToken });
      expect(expired.status).toBe(400);
      expect(expired.body.error.code).toBe('SIGNUP_LINK_INVALID');
      expect((await t.request('GET', '/chauffage-roux/api/services')).status).toBe(404);

      const known = await t.request('POST', '/api/signup/resend', { email: 'roux@chauffage.fr' });
      const unknown = await t.request('POST', '/api/signup/resend', { email: 'personne@nulle-part.fr' });
      expect(known.status).toBe(202);
      expect(unknown.body).toEqual(known.body);
      const mails = await mailsTo(smtp, 'roux@chauffage.fr', 2);
      expect(smtp.received).toHaveLength(2);
      const fresh = linkIn(mails[1]!.mail.text!).searchParams.get('token')!;
      expect((await t.request('POST', '/api/signup/confirm', { token: fresh })).status).toBe(201);
      expect((await t.request('GET', '/chauffage-roux/api/services')).status).toBe(200);
      // A confirmed business asks for nothing more.
      await t.request('POST', '/api/signup/resend', { email: 'roux@chauffage.fr' });
      await new Promise((r) => setTimeout(r, 300));
      expect(smtp.to('roux@chauffage.fr')).toHaveLength(2);
    } finally {
      t.clock.ms = startMs;
    }
  });

  it('retention deletes sign-ups never confirmed after 7 days, freeing their slug and e-mail; a confirmed one stays', async () => {
    expect((await t.request('POST', '/api/signup', body({ slug: 'jamais-confirme', email: 'oubli@exemple.fr' }))).status).toBe(201);
    const startMs = t.clock.ms;
    try {
      t.clock.advance(6 * 24 * 60);
      expect((await t.service.retention()).unconfirmedSignups).toBe(0);
      t.clock.advance(24 * 60 + 1);
      const report = await t.service.retention();
      // This suite's other unconfirmed sign-ups (the taken-slug one) are as old: at least this one went.
      expect(report.unconfirmedSignups).toBeGreaterThanOrEqual(1);
      expect(await t.service.db.query(`SELECT 1 FROM artisans WHERE slug = 'jamais-confirme'`)).toHaveLength(0);
      expect(await t.service.db.query(`SELECT 1 FROM admin_users WHERE email = 'oubli@exemple.fr'`)).toHaveLength(0);
      expect((await t.request('GET', '/api/signup/slug?slug=jamais-confirme')).body.available).toBe(true);
      // Confirmed businesses are never touched.
      expect(await t.service.db.query(`SELECT 1 FROM artisans WHERE slug = 'electricite-berenice'`)).toHaveLength(1);
    } finally {
      t.clock.ms = startMs;
    }
  });

  it('made-up or truncated links open nothing; the operator cannot issue invitations when sign-up is open', async () => {
    for (const token of ['abc', `${crypto.randomUUID()}.${'A'.repeat(43)}`, 'x.y']) {
      const res = await t.request('POST', '/api/signup/confirm', { token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('SIGNUP_LINK_INVALID');
    }
    const op = await operatorSession(t);
    const invite = await t.request('POST', '/api/operator/invitations', { email: 'x@y.fr' }, op);
    expect(invite.status).toBe(409);
    expect(invite.body.error.code).toBe('SIGNUP_NOT_BY_INVITATION');
  });
});

describe.each(ENGINES)('sign-up closed, or by invitation, with per-IP limits on %s', (engine) => {
  const smtp = new TestSmtp();
  let closed: TestService;
  let invite: TestService;
  beforeAll(async () => {
    await smtp.start();
    closed = await start(engine, undefined, {});
    invite = await start(engine, smtp, { SIGNUP: 'invite', RATE_LIMIT_SIGNUP_PER_MINUTE: '3', RATE_LIMIT_SIGNUP_CHECK_PER_MINUTE: '4' });
  });
  afterAll(async () => {
    await closed?.close();
    await invite?.close();
    await smtp.stop();
  });

  it('closed by default: the API answers 403 SIGNUP_CLOSED in French and nothing is created', async () => {
    expect((await closed.request('GET', '/api/signup/status')).body).toEqual({ mode: 'closed' });
    const res = await closed.request('POST', '/api/signup', body());
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'SIGNUP_CLOSED', message: "Les inscriptions sont fermées sur cette instance d'ArtisanConnect. Contactez son exploitant pour ouvrir un espace." } });
    expect((await closed.request('GET', '/api/signup/slug?name=Dupont')).status).toBe(403);
    expect((await closed.request('POST', '/api/signup/resend', { email: 'a@b.fr' })).status).toBe(403);
    expect(await closed.service.db.query('SELECT 1 FROM artisans')).toHaveLength(1);
  });

  it('invite: a sign-up needs an unused invitation from the operator, for the address it names', async () => {
    const post = async (payload: Record<string, unknown>, remoteAddress = '10.0.0.1') => {
      const res = await invite.inject({ method: 'POST', url: '/api/signup', payload, remoteAddress });
      return { status: res.statusCode, body: res.json() };
    };
    expect((await invite.request('GET', '/api/signup/status')).body).toEqual({ mode: 'invite' });
    const none = await post(body());
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('INVITATION_INVALID');

    const op = await operatorSession(invite);
    const made = await invite.request('POST', '/api/operator/invitations', { email: 'Paul@Plomberie-Durand.fr' }, op);
    expect(made.status).toBe(201);
    const url = new URL(made.body.url);
    expect(url.origin + url.pathname).toBe('https://rdv.example.fr/inscription');
    const invitation = url.searchParams.get('invitation')!;
    expect(JSON.stringify(await invite.service.db.query('SELECT * FROM signup_invites'))).not.toContain(invitation);

    const otherAddress = await post(body({ invitation, email: 'intrus@ailleurs.fr' }), '10.0.0.2');
    expect(otherAddress.status).toBe(403);
    expect(otherAddress.body.error.code).toBe('INVITATION_INVALID');
    const ok = await post(body({ invitation }), '10.0.0.2');
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const reused = await post(body({ invitation, slug: 'autre-adresse', email: 'paul2@plomberie-durand.fr' }), '10.0.0.3');
    expect(reused.status).toBe(403);
    expect(reused.body.error.code).toBe('INVITATION_INVALID');
  });

  it('the console lists the invitations (pending, used, expired, revoked) and revokes an unused one, which then opens nothing', async () => {
    const startMs = invite.clock.ms;
    try {
      let op = await operatorSession(invite);
      const old = await invite.request('POST', '/api/operator/invitations', {}, op);
      expect(old.status).toBe(201);
      invite.clock.ms = startMs + 15 * 86_400_000;
      op = await operatorSession(invite);
      const pending = await invite.request('POST', '/api/operator/invitations', { email: 'Lea@Elec-Martin.fr' }, op);
      const revoked = await invite.request('POST', '/api/operator/invitations', {}, op);
      const revokedSecret = new URL(revoked.body.url).searchParams.get('invitation')!;

      const revoke = await invite.request('DELETE', `/api/operator/invitations/${revoked.body.id}`, undefined, op);
      expect(revoke.status).toBe(204);
      // Revoked once: again is harmless, its date stays the first one.
      expect((await invite.request('DELETE', `/api/operator/invitations/${revoked.body.id}`, undefined, op)).status).toBe(204);
      const refused = await invite.inject({
        method: 'POST', url: '/api/signup', remoteAddress: '10.0.2.1',
        payload: body({ invitation: revokedSecret, slug: 'elec-revoque', email: 'revoque@exemple.fr' }),
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('INVITATION_INVALID');
      expect(await invite.service.db.query(`SELECT 1 FROM artisans WHERE slug = 'elec-revoque'`)).toHaveLength(0);

      const list = await invite.request('GET', '/api/operator/invitations', undefined, op);
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ total: 4, page: 1, pageSize: 20 });
      const byId = new Map(list.body.invitations.map((i: { id: string }) => [i.id, i]));
      expect(byId.get(old.body.id)).toMatchObject({ status: 'expired', email: null, usedAt: null, revokedAt: null, operatorEmail: OPERATOR.email });
      expect(byId.get(pending.body.id)).toMatchObject({ status: 'pending', email: 'lea@elec-martin.fr', expiresAt: pending.body.expiresAt });
      expect(byId.get(revoked.body.id)).toMatchObject({ status: 'revoked', revokedAt: new Date(startMs + 15 * 86_400_000).toISOString(), usedBy: null });
      const used = list.body.invitations.find((i: { email: string | null }) => i.email === 'paul@plomberie-durand.fr');
      expect(used).toMatchObject({ status: 'used', usedBy: { displayName: 'Plomberie Durand' } });
      expect(used.usedAt).toEqual(expect.any(String));
      // Latest first; neither the link's secret nor its hash is ever shown again.
      expect(list.body.invitations.map((i: { createdAt: string }) => i.createdAt)).toEqual(list.body.invitations.map((i: { createdAt: string }) => i.createdAt).sort().reverse());
      for (const hash of await invite.service.db.query<{ token_hash: string }>('SELECT token_hash FROM signup_invites')) expect(JSON.stringify(list.body)).not.toContain(hash.token_hash);
      expect(JSON.stringify(list.body)).not.toContain(revokedSecret);

      const usedRevoke = await invite.request('DELETE', `/api/operator/invitations/${used.id}`, undefined, op);
      expect(usedRevoke.status).toBe(409);
      expect(usedRevoke.body.error).toMatchObject({ code: 'INVITATION_USED', message: expect.stringMatching(/déjà servi/) });
      const unknown = await invite.request('DELETE', '/api/operator/invitations/6f1c2b8e-3a57-4c1d-9b0e-2d4f6a8c0e13', undefined, op);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('INVITATION_NOT_FOUND');
      expect((await invite.request('DELETE', '/api/operator/invitations/pas-un-id', undefined, op)).status).toBe(400);
      // The operator's session and its CSRF token only.
      expect((await invite.request('GET', '/api/operator/invitations')).status).toBe(401);
      expect((await invite.request('DELETE', `/api/operator/invitations/${pending.body.id}`, undefined, { cookie: op.cookie })).status).toBe(403);
      expect(byId.get(pending.body.id)).toMatchObject({ status: 'pending' });
    } finally {
      invite.clock.ms = startMs;
    }
  });

  it('per client IP: sign-ups and slug checks are limited (429 in French), another IP is not', async () => {
    const check = (remoteAddress: string) => invite.inject({ method: 'GET', url: '/api/signup/slug?name=Dupont', remoteAddress });
    for (let i = 0; i < 4; i++) expect((await check('10.0.1.1')).statusCode).toBe(200);
    const limited = await check('10.0.1.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(limited.json().error.message).toMatch(/^Trop de tentatives/);
    expect((await check('10.0.1.2')).statusCode).toBe(200);

    const resend = (remoteAddress: string) => invite.inject({ method: 'POST', url: '/api/signup/resend', payload: { email: 'a@b.fr' }, remoteAddress });
    for (let i = 0; i < 3; i++) expect((await resend('10.0.1.3')).statusCode).toBe(202);
    expect((await resend('10.0.1.3')).statusCode).toBe(429);
    // The sign-up itself shares that bucket.
    expect((await invite.inject({ method: 'POST', url: '/api/signup', payload: body(), remoteAddress: '10.0.1.3' })).statusCode).toBe(429);
  });
});
