import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Stripe from 'stripe';

/**
 * A local Stripe-compatible HTTP server for tests (stripe-mock cannot be installed here). It
 * speaks the wire format the official SDK uses: form-encoded POST bodies with bracketed keys,
 * Bearer secret keys, Idempotency-Key headers, JSON objects and Stripe's error envelopes. It
 * implements the PaymentIntent (create + confirm, retrieve, capture, cancel), Refund and Event
 * shapes the provider uses, records every request, checks what the provider sends (form
 * encoding, integer amounts, EUR, metadata, idempotency keys) and can be told to decline,
 * require 3-D Secure, time out or go down.
 *
 * Stripe Connect: connected accounts (POST/GET /v1/accounts), Account Links whose URL, once
 * visited, completes the onboarding and sends the browser to the return URL, and the
 * `Stripe-Account` header: an object made with it belongs to that account, is found only
 * with the same header, and its events carry `account`.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  /** The `Stripe-Account` header (Connect): the connected account the request acts on. */
  stripeAccount: string | undefined;
  form: Record<string, string>;
  replayed: boolean;
}

type Status = 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'canceled' | 'succeeded';

interface FakeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: 'automatic' | 'manual';
  client_secret: string;
  created: number;
  description: string | null;
  metadata: Record<string, string>;
  payment_method: string | null;
  status: Status;
  latest_charge: string | null;
  last_payment_error: { type: string; code: string; decline_code?: string; message: string } | null;
  next_action: { type: 'use_stripe_sdk'; use_stripe_sdk: Record<string, unknown> } | null;
  cancellation_reason: string | null;
  livemode: false;
}

export interface FakeEvent {
  id: string;
  object: 'event';
  /** Connect: the connected account the event happened on. */
  account?: string;
  type: string;
  created: number;
  api_version: string;
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  data: { object: Record<string, unknown> };
}

export interface FakeAccount {
  id: string;
  object: 'account';
  type: string;
  country: string;
  email: string | null;
  business_profile: { name: string | null };
  details_submitted: boolean;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  metadata: Record<string, string>;
  created: number;
}

/** What the next requests do: answer normally, hang after doing the work, drop the connection, or fail with a 500. */
export type FaultMode = 'timeout' | 'down' | 'error500';

const DECLINES: Record<string, string> = {
  pm_card_chargeDeclined: 'generic_decline',
  pm_card_visa_chargeDeclined: 'generic_decline',
  pm_card_chargeDeclinedInsufficientFunds: 'insufficient_funds',
  pm_card_chargeDeclinedExpiredCard: 'expired_card',
};
const CHALLENGES = new Set(['pm_card_threeDSecure2Required', 'pm_card_authenticationRequired']);

export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  /** Everything the fake found wrong in what it was sent (must stay empty). */
  readonly violations: string[] = [];
  readonly intents = new Map<string, FakeIntent>();
  readonly refunds: { id: string; payment_intent: string; amount: number }[] = [];
  readonly events: FakeEvent[] = [];
  readonly accounts = new Map<string, FakeAccount>();
  /** Which connected account each intent was made on (absent: the keys' own account). */
  readonly intentAccount = new Map<string, string>();
  readonly accountLinks = new Map<string, { account: string; refresh_url: string; return_url: string; type: string }>();
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  private idempotent = new Map<string, { hash: string; status: number; body: unknown }>();
  private faults: FaultMode[] = [];
  private seq = 0;
  /** How long a 'timeout' fault holds the answer (longer than the SDK's timeout). */
  timeoutDelayMs = 3_000;
  /** Every request fails this way while set (a provider down for a while). */
  outage: FaultMode | undefined;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  reset(): void {
    this.requests.length = 0;
    this.violations.length = 0;
    this.intents.clear();
    this.refunds.length = 0;
    this.events.length = 0;
    this.accounts.clear();
    this.intentAccount.clear();
    this.accountLinks.clear();
    this.idempotent.clear();
    this.faults = [];
    this.outage = undefined;
  }

  /** The next `n` requests fail with `mode` (then it answers normally again). */
  failNext(mode: FaultMode, n = 1): void {
    for (let i = 0; i < n; i++) this.faults.push(mode);
  }

  /** PaymentIntents whose money was taken or is held (a charge or an authorisation). */
  charged(): FakeIntent[] {
    return [...this.intents.values()].filter((pi) => pi.status === 'succeeded' || pi.status === 'requires_capture');
  }

  intentFor(bookingId: string): FakeIntent | undefined {
    return [...this.intents.values()].find((pi) => pi.metadata.bookingId === bookingId);
  }

  /** The customer's bank answers the 3-D Secure challenge (what Stripe.js handleNextAction leads to). */
  completeChallenge(id: string, outcome: 'succeeded' | 'failed'): FakeIntent {
    const pi = this.intents.get(id);
    if (!pi || pi.status !== 'requires_action') throw new Error(`no challenge open on ${id}`);
    pi.next_action = null;
    if (outcome === 'failed') {
      pi.status = 'requires_payment_method';
      pi.last_payment_error = { type: 'card_error', code: 'payment_intent_authentication_failure', message: 'Authentication failed.' };
      this.emit('payment_intent.payment_failed', pi);
    } else {
      this.succeed(pi);
    }
    return pi;
  }

  /** The card holder opens a chargeback on the intent's charge. */
  dispute(id: string, reason = 'fraudulent'): FakeEvent {
    const pi = this.intents.get(id)!;
    return this.emit('charge.dispute.created', {
      id: `dp_${this.next()}`,
      object: 'dispute',
      amount: pi.amount_received || pi.amount,
      currency: 'eur',
      charge: pi.latest_charge,
      payment_intent: pi.id,
      reason,
      status: 'needs_response',
    });
  }

  /** An event signed like Stripe signs webhooks (Stripe-Signature header), at `timestampMs`. */
  signed(event: FakeEvent, secret: string, timestampMs = Date.now()): { payload: string; signature: string } {
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(timestampMs / 1000) });
    return { payload, signature };
  }

  lastEvent(type: string, intentId?: string): FakeEvent | undefined {
    return [...this.events].reverse().find((e) => e.type === type && (!intentId || e.data.object.id === intentId || e.data.object.payment_intent === intentId));
  }

  private next(): string {
    this.seq += 1;
    return `${Date.now().toString(36)}${this.seq.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
  }

  private emit(type: string, object: FakeIntent | Record<string, unknown>, account?: string): FakeEvent {
    const o = object as Record<string, unknown>;
    const owner = account ?? this.intentAccount.get(String(o.object === 'payment_intent' ? o.id : o.payment_intent));
    const event: FakeEvent = {
      id: `evt_${this.next()}`,
      object: 'event',
      ...(owner ? { account: owner } : {}),
      type,
      created: Math.floor(Date.now() / 1000),
      api_version: '2026-10-28.endive',
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: structuredClone(object) as unknown as Record<string, unknown> },
    };
    this.events.push(event);
    return event;
  }

  private succeed(pi: FakeIntent): void {
    pi.latest_charge = pi.latest_charge ?? `ch_${this.next()}`;
    if (pi.capture_method === 'manual') {
      pi.status = 'requires_capture';
      pi.amount_capturable = pi.amount;
      this.emit('payment_intent.amount_capturable_updated', pi);
    } else {
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      this.emit('payment_intent.succeeded', pi);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const fault = this.outage ?? this.faults.shift();
    if (fault === 'down') {
      req.socket.destroy();
      return;
    }
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const visit = /^\/connect\/onboarding\/([^/]+)$/.exec(path);
    if (visit && method === 'GET') return this.onboard(visit[1]!, res);
    const form = Object.fromEntries(new URLSearchParams(method === 'GET' ? (req.url ?? '').split('?')[1] ?? '' : raw));
    const idempotencyKey = header(req, 'idempotency-key');
    const record: RecordedRequest = {
      method,
      path,
      contentType: header(req, 'content-type'),
      authorization: header(req, 'authorization'),
      idempotencyKey,
      stripeAccount: header(req, 'stripe-account'),
      form,
      replayed: false,
    };
    this.requests.push(record);
    if (!/^Bearer sk_test_[A-Za-z0-9]+$/.test(record.authorization ?? '')) {
      return send(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
    }
    if (fault === 'error500') return send(res, 500, { error: { type: 'api_error', message: 'An unknown error occurred.' } });
    if (method === 'POST') {
      if (!record.contentType?.startsWith('application/x-www-form-urlencoded')) this.violations.push(`${path}: not form-encoded (${record.contentType})`);
      if (!idempotencyKey) this.violations.push(`${path}: POST without Idempotency-Key`);
    }

    // Idempotency: the same key and body replay the first answer; another body is refused.
    const hash = createHash('sha256').update(`${method} ${path} ${record.stripeAccount ?? ''} ${raw}`).digest('hex');
    const previous = idempotencyKey && method === 'POST' ? this.idempotent.get(idempotencyKey) : undefined;
    let status: number;
    let body: unknown;
    if (previous) {
      if (previous.hash !== hash) {
        status = 400;
        body = { error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with.` } };
      } else {
        record.replayed = true;
        ({ status, body } = previous);
      }
    } else {
      ({ status, body } = this.routeOn(record.stripeAccount, method, path, form));
      if (idempotencyKey && method === 'POST' && status < 500) this.idempotent.set(idempotencyKey, { hash, status, body });
    }
    if (fault === 'timeout') {
      // The work is done (the intent exists, the card is charged) but the answer comes too late.
      await new Promise((resolve) => setTimeout(resolve, this.timeoutDelayMs));
      if (res.destroyed || req.socket.destroyed) return;
    }
    send(res, status, body, record.replayed ? { 'idempotent-replayed': 'true' } : {});
  }

  /** Connect: a request on behalf of an account this platform does not have is refused. */
  private routeOn(account: string | undefined, method: string, path: string, form: Record<string, string>): { status: number; body: unknown } {
    if (account !== undefined && !this.accounts.has(account)) {
      return { status: 403, body: { error: { type: 'invalid_request_error', code: 'account_invalid', message: `The provided key does not have access to account '${account}' (or that account does not exist).` } } };
    }
    return this.route(method, path, form, account);
  }

  private route(method: string, path: string, form: Record<string, string>, account?: string): { status: number; body: unknown } {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/accounts') return account ? invalid('Connected accounts are created by the platform.', 400) : this.createAccount(form);
    if (method === 'GET' && (m = /^\/v1\/accounts\/([^/]+)$/.exec(path))) {
      const found = this.accounts.get(m[1]!);
      return found && (!account || account === found.id) ? ok(found) : invalid(`No such account: '${m[1]}'`, 404, 'resource_missing');
    }
    if (method === 'POST' && path === '/v1/account_links') return account ? invalid('Account Links are created by the platform.', 400) : this.createAccountLink(form);
    const withIntent = (id: string, fn: (pi: FakeIntent) => { status: number; body: unknown }) => this.withIntent(id, account, fn);
    if (method === 'POST' && path === '/v1/payment_intents') return this.createIntent(form, account);
    if (method === 'GET' && (m = /^\/v1\/payment_intents\/([^/]+)$/.exec(path))) {
      // expand[]=latest_charge: the charge object in place of its id (amount_refunded and all).
      const expand = Object.entries(form).some(([k, v]) => /^expand\[\d*\]$/.test(k) && v === 'latest_charge');
      return withIntent(m[1]!, (pi) => ok(expand ? { ...pi, latest_charge: this.chargeOf(pi) } : pi));
    }
    if (method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path))) return withIntent(m[1]!, (pi) => this.confirm(pi));
    if (method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/capture$/.exec(path))) return withIntent(m[1]!, (pi) => this.capture(pi, form));
    if (method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path))) return withIntent(m[1]!, (pi) => this.cancel(pi));
    if (method === 'POST' && path === '/v1/refunds') return this.refund(form, account);
    if (method === 'GET' && (m = /^\/v1\/events\/([^/]+)$/.exec(path))) {
      const event = this.events.find((e) => e.id === m![1]);
      return event ? ok(event) : invalid(`No such event: '${m[1]}'`, 404);
    }
    if (method === 'GET' && path === '/v1/events') return ok({ object: 'list', data: [...this.events].reverse(), has_more: false, url: '/v1/events' });
    return invalid(`Unrecognized request URL (${method}: ${path}).`, 404);
  }

  /** The intent, when it was made on this account (another account's is "no such" intent). */
  private intentOn(id: string, account: string | undefined): FakeIntent | undefined {
    const pi = this.intents.get(id);
    return pi && this.intentAccount.get(id) === account ? pi : undefined;
  }

  private withIntent(id: string, account: string | undefined, fn: (pi: FakeIntent) => { status: number; body: unknown }) {
    const pi = this.intentOn(id, account);
    return pi ? fn(pi) : invalid(`No such payment_intent: '${id}'`, 404, 'resource_missing');
  }

  private createAccount(form: Record<string, string>): { status: number; body: unknown } {
    if (!['standard', 'express', 'custom'].includes(form.type ?? '')) this.violations.push(`account type ${form.type}`);
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) {
      const mk = /^metadata\[(.+)\]$/.exec(k);
      if (mk) metadata[mk[1]!] = v;
    }
    const account: FakeAccount = {
      id: `acct_${randomBytes(8).toString('hex')}`,
      object: 'account',
      type: form.type ?? 'standard',
      country: form.country ?? 'FR',
      email: form.email ?? null,
      business_profile: { name: form['business_profile[name]'] ?? null },
      details_submitted: false,
      charges_enabled: false,
      payouts_enabled: false,
      metadata,
      created: Math.floor(Date.now() / 1000),
    };
    this.accounts.set(account.id, account);
    return ok(account);
  }

  private createAccountLink(form: Record<string, string>): { status: number; body: unknown } {
    if (!form.account || !this.accounts.has(form.account)) return invalid(`No such account: '${form.account}'`, 400, 'resource_missing');
    if (form.type !== 'account_onboarding' && form.type !== 'account_update') return invalid('Invalid type', 400, 'parameter_invalid_empty');
    if (!form.refresh_url || !form.return_url) {
      this.violations.push('account link without refresh_url or return_url');
      return invalid('Missing required param: refresh_url / return_url.', 400, 'parameter_missing');
    }
    const token = randomBytes(12).toString('hex');
    this.accountLinks.set(token, { account: form.account, refresh_url: form.refresh_url, return_url: form.return_url, type: form.type });
    const created = Math.floor(Date.now() / 1000);
    return ok({ object: 'account_link', created, expires_at: created + 300, url: `${this.url}/connect/onboarding/${token}` });
  }

  /** The business fills Stripe's onboarding form (the link is single-use), then goes back. */
  private onboard(token: string, res: ServerResponse): void {
    const link = this.accountLinks.get(token);
    if (!link) return send(res, 404, { error: { type: 'invalid_request_error', message: 'This link has expired.' } });
    this.accountLinks.delete(token);
    this.completeOnboarding(link.account);
    res.writeHead(302, { location: link.return_url, 'content-length': 0 });
    res.end();
  }

  /** Stripe enables the account (details submitted, card payments on) and says so: account.updated. */
  completeOnboarding(accountId: string, enabled = true): FakeEvent {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    Object.assign(account, { details_submitted: true, charges_enabled: enabled, payouts_enabled: enabled });
    return this.emit('account.updated', account as unknown as Record<string, unknown>, accountId);
  }

  private createIntent(form: Record<string, string>, account?: string): { status: number; body: unknown } {
    const amount = Number(form.amount);
    if (!/^\d+$/.test(form.amount ?? '') || amount < 50) {
      this.violations.push(`amount must be integer cents >= 50 (got ${form.amount})`);
      return invalid('Invalid integer: amount', 400, 'parameter_invalid_integer');
    }
    if (form.currency !== 'eur') this.violations.push(`currency must be eur (got ${form.currency})`);
    if (!form['metadata[bookingId]'] || !form['metadata[publicCode]']) this.violations.push('metadata[bookingId] and metadata[publicCode] are required');
    if (form.capture_method && !['automatic', 'manual'].includes(form.capture_method)) this.violations.push(`capture_method ${form.capture_method}`);
    const id = `pi_${this.next()}`;
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) {
      const mk = /^metadata\[(.+)\]$/.exec(k);
      if (mk) metadata[mk[1]!] = v;
    }
    const pi: FakeIntent = {
      id,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency: form.currency ?? '',
      capture_method: form.capture_method === 'manual' ? 'manual' : 'automatic',
      client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
      created: Math.floor(Date.now() / 1000),
      description: form.description ?? null,
      metadata,
      payment_method: form.payment_method ?? null,
      status: form.payment_method ? 'requires_confirmation' : 'requires_payment_method',
      latest_charge: null,
      last_payment_error: null,
      next_action: null,
      cancellation_reason: null,
      livemode: false,
    };
    this.intents.set(id, pi);
    if (account) this.intentAccount.set(id, account);
    this.emit('payment_intent.created', pi);
    return form.confirm === 'true' ? this.confirm(pi) : ok(pi);
  }

  private confirm(pi: FakeIntent): { status: number; body: unknown } {
    if (!pi.payment_method) return invalid('You must provide a payment method.', 400, 'payment_intent_unexpected_state');
    const decline = DECLINES[pi.payment_method];
    if (decline) {
      pi.status = 'requires_payment_method';
      pi.latest_charge = `ch_${this.next()}`;
      pi.last_payment_error = { type: 'card_error', code: 'card_declined', decline_code: decline, message: 'Your card was declined.' };
      this.emit('payment_intent.payment_failed', pi);
      return {
        status: 402,
        body: { error: { type: 'card_error', code: 'card_declined', decline_code: decline, message: 'Your card was declined.', payment_intent: pi, charge: pi.latest_charge } },
      };
    }
    if (CHALLENGES.has(pi.payment_method)) {
      pi.status = 'requires_action';
      pi.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: 'https://hooks.stripe.com/3d_secure_2/hosted' } };
      this.emit('payment_intent.requires_action', pi);
      return ok(pi);
    }
    this.succeed(pi);
    return ok(pi);
  }

  private capture(pi: FakeIntent, form: Record<string, string>): { status: number; body: unknown } {
    if (pi.status !== 'requires_capture') return invalid(`This PaymentIntent could not be captured because it has a status of ${pi.status}.`, 400, 'payment_intent_unexpected_state');
    const amount = form.amount_to_capture === undefined ? pi.amount : Number(form.amount_to_capture);
    if (!Number.isInteger(amount) || amount <= 0 || amount > pi.amount) return invalid('Invalid amount_to_capture', 400, 'parameter_invalid_integer');
    pi.status = 'succeeded';
    pi.amount_received = amount;
    pi.amount_capturable = 0;
    this.emit('payment_intent.succeeded', pi);
    return ok(pi);
  }

  private cancel(pi: FakeIntent): { status: number; body: unknown } {
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      return invalid(`You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`, 400, 'payment_intent_unexpected_state');
    }
    pi.status = 'canceled';
    pi.amount_capturable = 0;
    pi.next_action = null;
    pi.cancellation_reason = 'requested_by_customer';
    this.emit('payment_intent.canceled', pi);
    return ok(pi);
  }

  private refund(form: Record<string, string>, account?: string): { status: number; body: unknown } {
    const pi = this.intentOn(form.payment_intent ?? '', account);
    if (!pi) return invalid(`No such payment_intent: '${form.payment_intent}'`, 404, 'resource_missing');
    if (pi.status !== 'succeeded') return invalid('This PaymentIntent does not have a successful charge to refund.', 400, 'charge_not_refundable');
    const already = this.refundedOn(pi);
    if (already >= pi.amount_received) {
      this.violations.push(`refund of ${form.amount} on a charge already refunded in full`);
      return invalid(`Charge ${pi.latest_charge} has already been refunded.`, 400, 'charge_already_refunded');
    }
    const amount = form.amount === undefined ? pi.amount_received - already : Number(form.amount);
    if (!Number.isInteger(amount) || amount <= 0 || amount + already > pi.amount_received) {
      this.violations.push(`refund of ${form.amount} over what is left (${pi.amount_received - already})`);
      return invalid('Refund amount is greater than unrefunded amount on charge.', 400, 'amount_too_large');
    }
    return ok(this.addRefund(pi, amount));
  }

  /**
   * The artisan refunds part of the charge from the Stripe dashboard (not through the API
   * the service calls): the refund is made and `charge.refunded` emitted, as Stripe does.
   */
  refundFromDashboard(id: string, amount: number): FakeEvent {
    const pi = this.intents.get(id);
    if (!pi || pi.status !== 'succeeded' || amount + this.refundedOn(pi) > pi.amount_received) throw new Error(`cannot refund ${amount} on ${id}`);
    this.addRefund(pi, amount);
    return this.events[this.events.length - 1]!;
  }

  private refundedOn(pi: FakeIntent): number {
    return this.refunds.filter((r) => r.payment_intent === pi.id).reduce((s, r) => s + r.amount, 0);
  }

  /** The intent's charge as Stripe shows it (GET with expand, charge.* events). */
  private chargeOf(pi: FakeIntent): Record<string, unknown> | null {
    if (!pi.latest_charge) return null;
    const refunded = this.refundedOn(pi);
    return {
      id: pi.latest_charge,
      object: 'charge',
      amount: pi.amount,
      amount_captured: pi.amount_received,
      amount_refunded: refunded,
      captured: pi.status === 'succeeded',
      currency: pi.currency,
      payment_intent: pi.id,
      metadata: pi.metadata,
      refunded: pi.amount_received > 0 && refunded === pi.amount_received,
    };
  }

  private addRefund(pi: FakeIntent, amount: number) {
    const refund = { id: `re_${this.next()}`, object: 'refund', amount, currency: 'eur', payment_intent: pi.id, charge: pi.latest_charge, status: 'succeeded' };
    this.refunds.push(refund);
    this.emit('charge.refunded', this.chargeOf(pi)!);
    return refund;
  }
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const ok = (body: unknown) => ({ status: 200, body });
const invalid = (message: string, status: number, code?: string) => ({ status, body: { error: { type: 'invalid_request_error', message, ...(code ? { code } : {}) } } });

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'request-id': `req_${randomBytes(6).toString('hex')}`, ...headers });
  res.end(text);
}
