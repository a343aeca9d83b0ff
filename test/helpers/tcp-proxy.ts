import { connect, createServer, type Server, type Socket } from 'node:net';

/** One proxied connection, as a test sees it. */
export interface ProxiedConnection {
  /** Bytes were held on it by a freeze. */
  stalled: boolean;
  /** Its service side has been closed (by the service, or by `cut()`). */
  closed: boolean;
}

/**
 * A TCP proxy between the service and PostgreSQL that a test cuts and restores: `cut()`
 * drops every open connection and refuses new ones (as a restarted server or a network
 * cut does); `restore()` listens again on the same port. `freeze()` makes the database go
 * silent instead: connections stay open (new ones too) but nothing is forwarded either way
 * until `thaw()`, which delivers what was held, in order. Closes still go through: a
 * connection the service gives up on is closed on the server side as well.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private frozen = false;
  private held: { to: Socket; chunk: Buffer; connection: ProxiedConnection }[] = [];
  /** Every connection proxied so far, in order. */
  readonly proxied: ProxiedConnection[] = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Connections proxied so far (each pool connection is one). */
  connections = 0;

  async start(port = 0): Promise<number> {
    const server = createServer((client) => {
      this.connections++;
      const connection: ProxiedConnection = { stalled: false, closed: false };
      this.proxied.push(connection);
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client).add(upstream);
      const drop = (): void => {
        connection.closed = true;
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      const forward = (from: Socket, to: Socket): void => {
        from.on('data', (chunk: Buffer) => {
          if (!this.frozen) return void to.write(chunk);
          connection.stalled = true;
          this.held.push({ to, chunk, connection });
        });
      };
      forward(client, upstream);
      forward(upstream, client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    this.server = server;
    return this.port;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The database goes silent: nothing is forwarded until thaw(). */
  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    const held = this.held;
    this.held = [];
    for (const { to, chunk, connection } of held) if (!connection.closed) to.write(chunk);
  }

  async restore(): Promise<void> {
    await this.start(this.port);
  }

  /** Rewrites a postgres:// URL to go through the proxy. */
  url(target: string): string {
    const u = new URL(target);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }
}
