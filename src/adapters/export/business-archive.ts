import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { EXPORT_FORMAT_VERSION, WITHHELD_COLUMNS, type BusinessDataStore } from '../../app/business-data.ts';

/**
 * A business's export as a `.tar.gz`: `manifest.json` (format version, business, date, rows per
 * table, withheld columns), `LISEZMOI.txt`, and `tables/<table>.ndjson` — one JSON object a line.
 * NDJSON rather than CSV: it keeps types (null apart from "", numbers, nested JSON such as
 * addresses and refund policies) and every JSON tool reads it a line at a time. A tar needs
 * each file's size before its bytes, so the rows are first spooled to a private temporary
 * directory (the database is read in cursor pages), then streamed through gzip; memory stays
 * bounded whatever the business's size. The directory is removed once the stream ends.
 */

export interface BusinessArchive {
  filename: string;
  stream: Readable;
  counts: Record<string, number>;
}

const stampOf = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

function readme(name: string, exportedAt: string, counts: Record<string, number>): string {
  return [
    `Export des données de ${name} (ArtisanConnect)`,
    `Date : ${exportedAt}`,
    '',
    'Cette archive contient toutes les données de votre entreprise : une table par fichier dans',
    'le dossier tables/, au format NDJSON (un objet JSON par ligne, lisible par tout outil JSON).',
    'manifest.json décrit le contenu (version du format, nombre de lignes par table).',
    '',
    'Ne sont jamais exportés : les mots de passe et empreintes de jetons, les jetons de session,',
    'les identifiants chiffrés des calendriers connectés (liste dans manifest.json).',
    '',
    'Elle contient les données personnelles de vos clients : conservez-la en lieu sûr.',
    '',
    ...Object.entries(counts).map(([t, n]) => `tables/${t}.ndjson : ${n} ligne${n > 1 ? 's' : ''}`),
    '',
  ].join('\n');
}

async function writeLine(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

async function closeFile(out: WriteStream | undefined): Promise<void> {
  if (!out) return;
  out.end();
  await once(out, 'close');
}

export function makeBusinessArchive(deps: { store: BusinessDataStore; now: () => number; tmpRoot?: string }) {
  return async function businessArchive(artisanId: string): Promise<BusinessArchive | undefined> {
    const dir = mkdtempSync(join(deps.tmpRoot ?? tmpdir(), 'artisanconnect-export-'));
    const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
    const nowMs = deps.now();
    const exportedAt = new Date(nowMs).toISOString();
    let current: WriteStream | undefined;
    let result: Awaited<ReturnType<BusinessDataStore['exportRows']>>;
    try {
      result = await deps.store.exportRows(artisanId, WITHHELD_COLUMNS, {
        async table(name) {
          await closeFile(current);
          current = createWriteStream(join(dir, `${name}.ndjson`), { mode: 0o600 });
        },
        line: (json) => writeLine(current!, `${json}\n`),
      });
      await closeFile(current);
    } catch (error) {
      current?.destroy();
      cleanup();
      throw error;
    }
    if (!result) {
      cleanup();
      return undefined;
    }
    const { business, counts } = result;
    const manifest = {
      formatVersion: EXPORT_FORMAT_VERSION,
      format: 'ndjson',
      business,
      exportedAt,
      tables: Object.entries(counts).map(([name, rows]) => ({ name, file: `tables/${name}.ndjson`, rows })),
      withheldColumns: WITHHELD_COLUMNS,
    };

    const pack = tar.pack();
    const out = new PassThrough();
    const mtime = new Date(nowMs);
    const fill = async (): Promise<void> => {
      const add = (name: string, content: string) =>
        new Promise<void>((resolve, reject) => pack.entry({ name, mtime, mode: 0o600 }, content, (e) => (e ? reject(e) : resolve())));
      await add('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
      await add('LISEZMOI.txt', readme(business.displayName, exportedAt, counts));
      for (const name of Object.keys(counts)) {
        const file = join(dir, `${name}.ndjson`);
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ name: `tables/${name}.ndjson`, size: statSync(file).size, mtime, mode: 0o600 }, (e) => (e ? reject(e) : resolve()));
          createReadStream(file).on('error', reject).pipe(entry);
        });
      }
      pack.finalize();
    };
    pipeline(pack, createGzip(), out).catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
    fill().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
    out.once('close', cleanup);
    return { filename: `artisanconnect-export-${business.slug ?? business.id}-${stampOf(nowMs)}.tar.gz`, stream: out, counts };
  };
}

export type BusinessArchiveMaker = ReturnType<typeof makeBusinessArchive>;
