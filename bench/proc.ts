import { readFileSync, readdirSync } from 'node:fs';

/** Linux /proc readings: memory and CPU time of the server, its database backends and the machine. */

/** Resident and peak resident memory of a process, in MiB (Linux /proc). */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system, all threads) a process has used so far; undefined if it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of all CPUs of the machine so far (first line of /proc/stat). */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU seconds used so far by every process of the machine, by pid. */
export function processesCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const cpu = cpuSecondsOf(pid);
    if (cpu !== undefined) out.set(pid, cpu);
  }
  return out;
}

/** The processes that used the most CPU between two snapshots, apart from `exclude`: "name pid: %" (of one core). */
export function busiestOthers(before: Map<number, number>, after: Map<number, number>, seconds: number, exclude: ReadonlySet<number>): string[] {
  const deltas: { pid: number; pct: number }[] = [];
  for (const [pid, cpu] of after) {
    if (exclude.has(pid)) continue;
    const pct = ((cpu - (before.get(pid) ?? 0)) / seconds) * 100;
    if (pct >= 5) deltas.push({ pid, pct });
  }
  return deltas
    .sort((a, b) => b.pct - a.pct)
    .slice(0, 3)
    .map(({ pid, pct }) => `${describe(pid)}: ${pct.toFixed(0)}%`);
}

function describe(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    // Drop flags and the values of preload flags (tsx's --require/--import), keep base names.
    const words = args
      .filter((w, i) => !w.startsWith('-') && !['--require', '-r', '--import', '--loader'].includes(args[i - 1] ?? ''))
      .map((w) => w.split('/').pop() ?? w);
    return `${words.slice(0, 4).join(' ').slice(0, 70)} (${pid})`;
  } catch {
    return String(pid);
  }
}

/** CPU seconds used so far by every process whose command name starts with `prefix` (e.g. the PostgreSQL server's processes). */
export function cpuSecondsNamed(prefix: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith(prefix)) continue;
    } catch {
      continue;
    }
    total += cpuSecondsOf(Number(entry)) ?? 0;
  }
  return total;
}
