// PGlite on its own thread. Plain JavaScript on purpose: worker threads start outside the
// TypeScript loader (tests, tsx). Protocol (one message per call, answered by id):
//   {id, op:'query', sql, params, tx?} -> {id, rows}
//   {id, op:'exec', sql, tx?}          -> {id}
//   {id, op:'begin'}                   -> {id, tx}     opens a transaction held by this thread
//   {id, op:'commit'|'rollback', tx}   -> {id}
//   {id, op:'snapshot'}                -> {id, bytes}  PGlite's tar of the data directory, at a
//                                                       transaction boundary (see backup.ts)
//   {id, op:'close'}                   -> {id}
// Failures answer {id, error:{message, code, constraint, detail}}.
import { parentPort, workerData } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';

mkdirSync(workerData.dataDir, { recursive: true });
const pg = await PGlite.create({ dataDir: workerData.dataDir, extensions: { btree_gist } });
await pg.exec('SET TIME ZONE UTC');

const transactions = new Map();
let nextTx = 1;

function openTransaction() {
  return new Promise((resolveOpen, rejectOpen) => {
    const id = nextTx++;
    pg.transaction(
      (tx) =>
        new Promise((finish, abort) => {
          transactions.set(id, { tx, finish, abort });
          resolveOpen(id);
        }),
    ).catch((error) => {
      if (!transactions.has(id)) rejectOpen(error);
    });
  });
}

const ROLLBACK = new Error('rollback requested');

async function handle(msg) {
  const target = msg.tx ? transactions.get(msg.tx)?.tx : pg;
  if (msg.tx && !target) throw new Error(`unknown transaction ${msg.tx}`);
  switch (msg.op) {
    case 'query':
      return { rows: (await target.query(msg.sql, msg.params)).rows };
    case 'exec':
      await target.exec(msg.sql);
      return {};
    case 'begin':
      return { tx: await openTransaction() };
    case 'commit':
    case 'rollback': {
      const t = transactions.get(msg.tx);
      if (!t) throw new Error(`unknown transaction ${msg.tx}`);
      transactions.delete(msg.tx);
      if (msg.op === 'commit') t.finish();
      else t.abort(ROLLBACK);
      // Wait until PGlite has released the transaction before answering.
      await pg.query('SELECT 1');
      return {};
    }
    case 'snapshot': {
      // Same steps as snapshotPglite in backup.ts: checkpoint, then the dump with no transaction open.
      await pg.exec('CHECKPOINT');
      const blob = await pg._runExclusiveTransaction(() => pg.dumpDataDir('none'));
      return { bytes: new Uint8Array(await blob.arrayBuffer()), transfer: true };
    }
    case 'close':
      await pg.close();
      return {};
    default:
      throw new Error(`unknown op ${msg.op}`);
  }
}

parentPort.on('message', (msg) => {
  handle(msg).then(
    ({ transfer, ...result }) => parentPort.postMessage({ id: msg.id, ...result }, transfer ? [result.bytes.buffer] : []),
    (error) =>
      parentPort.postMessage({
        id: msg.id,
        error: { message: String(error?.message ?? error), code: error?.code, constraint: error?.constraint, detail: error?.detail },
      }),
  );
});
parentPort.postMessage({ ready: true });
