import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  status?: number;
  body?: string;
  /** Answer with a redirect to this URL. */
  location?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

/**
 * A local HTTP server standing for Google's, Outlook's or iCloud's "secret address" of a
 * calendar: each path answers what the test set (a fixture, an error, a redirect, a delay).
 */
export interface CalendarServer {
  url(path: string): string;
  set(path: string, route: Route): void;
  /** Requests received, by path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startCalendarServer(): Promise<CalendarServer> {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path) ?? { status: 404, body: 'not found' };
    const answer = () => {
      if (route.location) {
        res.writeHead(route.status ?? 302, { location: route.location }).end();
        return;
      }
      res.writeHead(route.status ?? 200, { 'content-type': 'text/calendar; charset=utf-8' }).end(route.body ?? '');
    };
    if (route.delayMs) setTimeout(answer, route.delayMs).unref();
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, route) => routes.set(path, route),
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
