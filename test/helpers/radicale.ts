import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real CalDAV server for the tests: Debian's Radicale on a free loopback port, with its own
 * storage folder and htpasswd users. `npm test` installs the package when it is missing
 * (scripts/provision.mjs); without it these tests fail saying what to install.
 */
export interface Radicale {
  baseUrl: string;
  /** Creates a calendar collection (MKCALENDAR) and returns its URL. */
  makeCalendar(user: string, name: string): Promise<string>;
  /** PUT one iCalendar object; returns its URL. */
  put(calendarUrl: string, file: string, ics: string, user: string): Promise<string>;
  get(url: string, user: string): Promise<{ status: number; body: string }>;
  /** Calendar objects of a collection (their file names). */
  list(calendarUrl: string, user: string): Promise<string[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const BINARY = process.env.RADICALE_PATH ?? '/usr/bin/radicale';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startRadicale(users: Record<string, string>): Promise<Radicale> {
  if (!existsSync(BINARY)) {
    throw new Error(`Radicale is missing (${BINARY}). Install it with: sudo apt-get install -y radicale (npm test does it when run as root)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'radicale-'));
  const port = await freePort();
  writeFileSync(join(dir, 'users'), Object.entries(users).map(([u, p]) => `${u}:${p}`).join('\n') + '\n');
  writeFileSync(
    join(dir, 'config'),
    [
      '[server]',
      `hosts = 127.0.0.1:${port}`,
      '[auth]',
      'type = htpasswd',
      `htpasswd_filename = ${join(dir, 'users')}`,
      'htpasswd_encryption = plain',
      '[rights]',
      'type = owner_only',
      '[storage]',
      `filesystem_folder = ${join(dir, 'collections')}`,
      '[logging]',
      'level = warning',
      '',
    ].join('\n'),
  );
  const baseUrl = `http://127.0.0.1:${port}/`;
  const auth = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${users[user]}`).toString('base64')}` });
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    child = spawn(BINARY, ['--config', join(dir, 'config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Radicale exited: ${stderr}`);
      try {
        const res = await fetch(baseUrl, { method: 'OPTIONS' });
        if (res.status < 500) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`Radicale did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function stop(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  }

  await start();
  return {
    baseUrl,
    async makeCalendar(user, name) {
      const url = new URL(`${user}/${name}/`, baseUrl).toString();
      const body = `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>${name}</D:displayname>
<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>`;
      // The principal's home exists once the user has been seen.
      await fetch(new URL(`${user}/`, baseUrl), { method: 'PROPFIND', headers: { ...auth(user), depth: '0' } });
      const res = await fetch(url, { method: 'MKCALENDAR', headers: { ...auth(user), 'content-type': 'application/xml' }, body });
      if (res.status !== 201) throw new Error(`MKCALENDAR ${url}: ${res.status} ${await res.text()}`);
      return url;
    },
    async put(calendarUrl, file, ics, user) {
      const url = new URL(file, calendarUrl).toString();
      const res = await fetch(url, { method: 'PUT', headers: { ...auth(user), 'content-type': 'text/calendar; charset=utf-8' }, body: ics });
      if (res.status >= 300) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
      return url;
    },
    async get(url, user) {
      const res = await fetch(url, { headers: auth(user) });
      return { status: res.status, body: await res.text() };
    },
    async list(calendarUrl, user) {
      const res = await fetch(calendarUrl, { method: 'PROPFIND', headers: { ...auth(user), depth: '1', 'content-type': 'application/xml' }, body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>' });
      const text = await res.text();
      return [...text.matchAll(/<(?:D:|)href>([^<]+\.ics)<\/(?:D:|)href>/gi)].map((m) => decodeURIComponent(m[1]!.split('/').pop()!));
    },
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
