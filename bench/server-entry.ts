/**
 * The benchmarked server's entry point: the service's own main() from src/main.ts (the
 * same start-up as `node --import tsx src/main.ts`), with bench/loop-monitor.ts loaded
 * first. A second `--import` of a .ts file is not seen by tsx's hooks on Node 20, hence
 * this file rather than a preload flag.
 */
import './loop-monitor.ts';
import { main } from '../src/main.ts';

main().catch((error: unknown) => {
  console.error('ArtisanConnect failed to start:', error);
  process.exit(1);
});
