import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { vi } from 'vitest';
import type { WebhookTestAllowance } from '../../src/adapters/webhooks/webhook-sender.ts';
import type { TestService } from './service.ts';

/** The SSRF guard's allowance for the receivers below: the loopback only, over plain HTTP. Tests only. */
export const TEST_RECEIVERS: WebhookTestAllowance = { isAllowedAddress: (a) => a === '127.0.0.1', allowHttp: true };

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A receiver answering the statuses queued (200 once the queue is empty). */
export async function startReceiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, body, json: JSON.parse(body) });
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    received,
    statuses,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Verifies like a receiver whose clock reads the message's timestamp (the service's clock is the test's). */
export function verifies(secret: string, r: Received): boolean {
  vi.useFakeTimers({ toFake: ['Date'], now: Number(r.headers['webhook-timestamp']) * 1000 });
  try {
    new Webhook(secret).verify(r.body, {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}


/** Runs the webhook worker until nothing is due on the test clock. */
export async function drainWebhooks(t: TestService): Promise<void> {
  for (let i = 0; i < 30 && (await t.service.webhookWorker.runOnce()) > 0; i++);
}
