import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** The files of a .tar.gz, by name, as text. */
export async function filesOf(gzipped: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const extract = tar.extract();
  extract.on('entry', (header: { name: string }, stream: Readable, next: () => void) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      files.set(header.name, Buffer.concat(chunks).toString('utf8'));
      next();
    });
  });
  await pipeline(Readable.from([gunzipSync(gzipped)]), extract);
  return files;
}

/** The rows of an NDJSON file. */
export const rowsOf = (ndjson: string | undefined): Record<string, unknown>[] =>
  (ndjson ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
