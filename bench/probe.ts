/**
 * A latency probe in its own process (`node --import tsx bench/probe.ts URL PATH SECONDS`):
 * one connection, so its timings are not skewed by the event loop of the main load
 * generator. Prints one JSON LoadResult line on stdout.
 */
import { runLoad } from './load.ts';

const [url, path, seconds] = process.argv.slice(2);
if (!url || !path || !seconds) {
  console.error('usage: probe.ts URL PATH SECONDS');
  process.exit(2);
}
const result = await runLoad({ url, path, connections: 1, duration: Number(seconds) });
process.stdout.write(`${JSON.stringify(result)}\n`);
