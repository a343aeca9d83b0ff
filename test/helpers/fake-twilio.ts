import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TwilioRequest {
  method: string;
  path: string;
  accountSid: string;
  username: string;
  password: string;
  contentType: string;
  form: Record<string, string>;
}

/**
 * A local HTTP server in the shape of Twilio's Messages API: POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, Basic auth, JSON answer with
 * sid and status. It records what the SDK sent. `failNext` answers the next requests with a
 * Twilio error body.
 */
export class FakeTwilio {
  requests: TwilioRequest[] = [];
  failNext = 0;
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(req.url ?? '');
        const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
        const [username = '', password = ''] = auth ? Buffer.from(auth[1]!, 'base64').toString('utf8').split(':') : [];
        const json = (status: number, payload: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(payload));
        };
        if (req.method !== 'POST' || !match) return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
        if (!auth) return json(401, { code: 20003, message: 'Authenticate', status: 401 });
        const form = Object.fromEntries(new URLSearchParams(body));
        this.requests.push({ method: req.method, path: req.url!, accountSid: match[1]!, username, password, contentType: req.headers['content-type'] ?? '', form });
        if (this.failNext > 0) {
          this.failNext--;
          return json(503, { code: 20500, message: 'Service unavailable', status: 503 });
        }
        const sid = `SM${this.requests.length.toString(16).padStart(32, '0')}`;
        json(201, {
          sid,
          account_sid: match[1],
          to: form.To,
          from: form.From,
          body: form.Body,
          status: 'queued',
          num_segments: '1',
          direction: 'outbound-api',
          api_version: '2010-04-01',
          date_created: new Date().toUTCString(),
          uri: `/2010-04-01/Accounts/${match[1]}/Messages/${sid}.json`,
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
