/**
 * The benchmarked server's entry point: the service's own main() from src/main.ts (the
 * same start-up as `node --import tsx src/main.ts`), with bench/loop-monitor.ts loaded
 * first. A second `--import` of a .ts file is not seen by tsx's hooks on Node 20, hence
 * this file rather than a preload flag.
 *
 * BENCH_INSERT_ROUTE=1 (bench/creation.ts) adds `POST /bench/insert`, the baseline of the
 * booking-creation ratio: one INSERT into a bench-only table through the service's own
 * database pool, on the same server. It exists in this process only, never in the
 * service's route list.
 *
 * BENCH_WEBHOOK_RECEIVERS=1 (bench/webhooks.ts) lets webhook endpoints be the bench's own
 * receiver on the loopback over plain HTTP, as the tests' receivers are: a compose() override,
 * never something the service's configuration can set.
 */
import './loop-monitor.ts';
import { main } from '../src/main.ts';

const insertRoute = process.env.BENCH_INSERT_ROUTE === '1';

main({
  overrides: process.env.BENCH_WEBHOOK_RECEIVERS === '1' ? { webhookTestReceivers: { isAllowedAddress: (a: string) => a === '127.0.0.1' || a === '::1', allowHttp: true } } : undefined,
  beforeListen: insertRoute
    ? async ({ app, db }) => {
        await db.exec(
          `CREATE TABLE IF NOT EXISTS bench_insert (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, artisan_id uuid NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
        );
        const [artisan] = await db.query<{ id: string }>(`SELECT id FROM artisans ORDER BY created_at, id LIMIT 1`);
        if (!artisan) throw new Error('BENCH_INSERT_ROUTE: no artisan (SEED_DEMO=true is needed)');
        app.post('/bench/insert', async (_request, reply) => {
          await db.query(`INSERT INTO bench_insert (artisan_id) VALUES ($1)`, [artisan.id]);
          return reply.status(201).send({ ok: true });
        });
      }
    : undefined,
}).catch((error: unknown) => {
  console.error('ArtisanConnect failed to start:', error);
  process.exit(1);
});
