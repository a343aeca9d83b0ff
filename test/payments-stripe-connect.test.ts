import { describe, expect, it, beforeEach } from 'vitest';
import Stripe from 'stripe';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { STRIPE_ENV, bookingRow, bookingWith, deliver, drain, stripeSuite } from './helpers/stripe-service.ts';

/**
 * STRIPE_MODE=connect: each business connects its own Stripe account (Account Links from the
 * Paiements screen) and its deposits are direct charges on it (`Stripe-Account` header);
 * webhooks are routed by `event.account`. The official SDK talks to the local
 * Stripe-compatible server. Clock: Monday 2027-03-01 08:00 Paris; diag, deposit 1200.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const DAY = '2027-03-10';
const BASE = 'https://rdv.example.fr';
const OTHER_ARTISAN = '00000000-0000-4000-8000-00000000b0b0';

describe.each(ENGINES)('Stripe Connect on %s', (engine) => {
  const { t, fake } = stripeSuite(engine, START, { STRIPE_MODE: 'connect', PUBLIC_BASE_URL: BASE });
  beforeEach(async () => {
    await t.service.db.query(`DELETE FROM payment_accounts`);
    await t.service.db.query(`DELETE FROM artisans WHERE id = $1`, [OTHER_ARTISAN]);
  });
  const account = () => t.request('GET', '/api/admin/payment-account', undefined, adminHeaders());
  const onboard = () => t.request('POST', '/api/admin/payment-account/onboarding', undefined, adminHeaders());
  /** The demo business connects its account and Stripe enables it; answers the account id. */
  const connected = async (): Promise<string> => {
    const link = await onboard();
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    const visit = await fetch(link.body.url, { redirect: 'manual' });
    expect(visit.status).toBe(302);
    const refreshed = await t.request('GET', '/api/admin/payment-account?refresh=true', undefined, adminHeaders());
    expect(refreshed.body.account.chargesEnabled).toBe(true);
    return refreshed.body.account.accountId as string;
  };
  /** The official SDK on the local server, as the platform. */
  const platform = () => {
    const url = new URL(fake.url);
    return new Stripe(STRIPE_ENV.STRIPE_SECRET_KEY, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
  };

  it('the onboarding link: an account created for the business once, an Account Link back to Paiements, its state refreshed on return', async () => {
    expect((await account()).body).toEqual({ connect: true, account: null });
    const link = await onboard();
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    expect(fake.accounts.size).toBe(1);
    const [created] = [...fake.accounts.values()];
    expect(created).toMatchObject({ type: 'standard', country: 'FR', email: expect.stringContaining('@'), details_submitted: false, charges_enabled: false });
    const createRequest = fake.requests.find((r) => r.path === '/v1/accounts')!;
    expect(createRequest.stripeAccount).toBeUndefined(); // made by the platform
    const linkRequest = fake.requests.find((r) => r.path === '/v1/account_links')!;
    expect(linkRequest.form).toEqual({
      account: created!.id,
      type: 'account_onboarding',
      refresh_url: `${BASE}/admin/paiements?stripe=lien-expire`,
      return_url: `${BASE}/admin/paiements?stripe=retour`,
    });
    expect(link.body.url).toMatch(/\/connect\/onboarding\//);
    expect((await account()).body.account).toMatchObject({ accountId: created!.id, detailsSubmitted: false, chargesEnabled: false });
    // A second click: a fresh link to the same account, no second account.
    expect((await onboard()).status).toBe(200);
    expect(fake.accounts.size).toBe(1);
    // The artisan fills Stripe's form and comes back to the Paiements screen.
    const visit = await fetch(link.body.url, { redirect: 'manual' });
    expect(visit.headers.get('location')).toBe(`${BASE}/admin/paiements?stripe=retour`);
    expect((await account()).body.account.chargesEnabled).toBe(false); // not re-read yet
    const back = await t.request('GET', '/api/admin/payment-account?refresh=true', undefined, adminHeaders());
    expect(back.body.account).toMatchObject({ accountId: created!.id, detailsSubmitted: true, chargesEnabled: true });
    expect((await t.request('GET', '/api/artisan')).body.artisan.onlineDeposits).toBe(true);
    expect(fake.violations).toEqual([]);
    expect((await t.request('POST', '/api/admin/payment-account/onboarding')).status).toBe(401);
  });

  it('a business without a connected account cannot take a deposit: its page says so, the booking is refused in French, nothing charged', async () => {
    const profile = await t.request('GET', '/api/artisan');
    expect(profile.body.artisan).toMatchObject({ onlineDeposits: false, phoneText: '06 12 34 56 78' });
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa'));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('DEPOSIT_NOT_ONLINE');
    expect(res.body.error.message).toContain('ne prend pas encore d’acompte en ligne');
    expect(res.body.error.message).toContain('06 12 34 56 78');
    expect(fake.requests.filter((r) => r.path.startsWith('/v1/payment_intents'))).toEqual([]);
    expect((await t.service.db.query(`SELECT id FROM bookings`)).length).toBe(0);
    // Onboarding started but Stripe has not enabled charges yet: still refused.
    await onboard();
    expect((await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa'))).status).toBe(409);
  });

  it('a deposit on the connected account: the PaymentIntent made with its Stripe-Account header, found only there', async () => {
    const acct = await connected();
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.booking).toMatchObject({ status: 'confirmed', deposit: { paymentStatus: 'captured' } });
    const row = await bookingRow(t, res.body.booking.publicCode);
    const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/payment_intents')!;
    expect(create.stripeAccount).toBe(acct);
    expect(create.form).toMatchObject({ amount: '1200', currency: 'eur', 'metadata[bookingId]': row.id });
    const pi = fake.intentFor(row.id)!;
    expect(fake.intentAccount.get(pi.id)).toBe(acct);
    // With another account's header, or the platform's own: no such intent.
    const other = fake.accounts.size;
    await platform().accounts.create({ type: 'standard' });
    const otherAcct = [...fake.accounts.keys()][other]!;
    await expect(platform().paymentIntents.retrieve(pi.id, {}, { stripeAccount: otherAcct })).rejects.toMatchObject({ statusCode: 404 });
    await expect(platform().paymentIntents.retrieve(pi.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await platform().paymentIntents.retrieve(pi.id, {}, { stripeAccount: acct })).status).toBe('succeeded');
    expect(fake.violations).toEqual([]);
  });

  it('a refund on the connected account: the customer cancels, the refund is made with the header', async () => {
    const acct = await connected();
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa'));
    const code = res.body.booking.publicCode as string;
    const pi = fake.intentFor((await bookingRow(t, code)).id)!;
    const cancel = await t.request('POST', `/api/bookings/${code}/cancel`, { email: 'jean@example.com' });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    expect(cancel.body.refund.refundCents).toBe(1200);
    const refund = fake.requests.find((r) => r.path === '/v1/refunds')!;
    expect(refund.stripeAccount).toBe(acct);
    expect(refund.form).toEqual({ payment_intent: pi.id, amount: '1200' });
    expect(fake.refunds).toMatchObject([{ payment_intent: pi.id, amount: 1200 }]);
    expect(cancel.body.booking.deposit).toMatchObject({ paymentStatus: 'refunded', refundedCents: 1200 });
    // Its charge.refunded webhook comes from the account and is routed back to this booking.
    const event = fake.lastEvent('charge.refunded', pi.id)!;
    expect(event.account).toBe(acct);
    expect((await deliver(t, fake, event)).statusCode).toBe(200);
    await drain(t);
    expect(fake.violations).toEqual([]);
  });

  it('webhooks are routed by event.account: the owner’s booking follows, an unknown account is acknowledged and ignored, another business’s account touches nothing', async () => {
    const acct = await connected();
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    expect(res.status).toBe(202);
    const code = res.body.booking.publicCode as string;
    const row = await bookingRow(t, code);
    const pi = fake.intentFor(row.id)!;
    fake.completeChallenge(pi.id, 'succeeded');
    const success = fake.lastEvent('payment_intent.succeeded')!;
    expect(success.account).toBe(acct);
    const stored = async () => t.service.db.query<{ id: string; artisan_id: string; booking_id: string | null }>(`SELECT id, artisan_id, booking_id FROM payment_events ORDER BY received_at`);

    // An account no business owns: 200 (Stripe stops sending it), nothing stored or changed.
    const stray = await deliver(t, fake, { ...success, id: 'evt_stray', account: 'acct_unknown0000' });
    expect(stray.statusCode).toBe(200);
    // The same intent's event, claimed by another business's account: stored for that one, no booking of ours.
    await t.service.db.query(`INSERT INTO artisans (id, display_name, email, timezone, plan) VALUES ($1, 'Autre entreprise', 'autre@example.com', 'Europe/Paris', 'pro')`, [OTHER_ARTISAN]);
    await t.service.db.query(`INSERT INTO payment_accounts (artisan_id, account_id, charges_enabled) VALUES ($1, 'acct_otherbusiness1', true)`, [OTHER_ARTISAN]);
    // Two businesses from here: the demo's page is reached by its address.
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id <> $1`, [OTHER_ARTISAN]);
    expect((await deliver(t, fake, { ...success, id: 'evt_other', account: 'acct_otherbusiness1' })).statusCode).toBe(200);
    await drain(t);
    expect(await stored()).toEqual([{ id: 'evt_other', artisan_id: OTHER_ARTISAN, booking_id: null }]);
    expect((await bookingRow(t, code)).status).toBe('awaiting_authentication');

    // The owner's account: stored for the demo business, the booking confirmed.
    expect((await deliver(t, fake, success)).statusCode).toBe(200);
    await drain(t);
    const [demo] = await t.service.db.query<{ artisan_id: string }>(`SELECT artisan_id FROM bookings WHERE id = $1`, [row.id]);
    expect((await stored()).find((e) => e.id === success.id)).toMatchObject({ artisan_id: demo!.artisan_id, booking_id: row.id });
    expect((await bookingRow(t, code)).status).toBe('confirmed');

    // account.updated from Stripe (card payments suspended): the state follows; deposits stop.
    const updated = fake.completeOnboarding(acct, false);
    expect((await deliver(t, fake, updated)).statusCode).toBe(200);
    await drain(t);
    expect((await account()).body.account).toMatchObject({ accountId: acct, chargesEnabled: false });
    expect((await t.request('POST', '/plomberie-dupont/api/bookings', bookingWith(DAY, '11:00', 'pm_card_visa'))).body.error.code).toBe('DEPOSIT_NOT_ONLINE');
    await t.service.db.query(`DELETE FROM payment_accounts WHERE artisan_id = $1`, [OTHER_ARTISAN]);
    await t.service.db.query(`DELETE FROM payment_events WHERE artisan_id = $1`, [OTHER_ARTISAN]);
    await t.service.db.query(`DELETE FROM outbox WHERE artisan_id = $1`, [OTHER_ARTISAN]);
    await t.service.db.query(`DELETE FROM artisans WHERE id = $1`, [OTHER_ARTISAN]);
  });

  it('reconciliation runs per account: a lost webhook is made up for by reading the intent on its account', async () => {
    const acct = await connected();
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    const code = res.body.booking.publicCode as string;
    const pi = fake.intentFor((await bookingRow(t, code)).id)!;
    fake.completeChallenge(pi.id, 'succeeded');
    fake.requests.length = 0;
    t.clock.advance(2); // quiet for longer than a webhook takes
    await t.service.worker.runOnce();
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('confirmed');
    const reads = fake.requests.filter((r) => r.method === 'GET' && r.path === `/v1/payment_intents/${pi.id}`);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.stripeAccount === acct)).toBe(true);
  });
});
