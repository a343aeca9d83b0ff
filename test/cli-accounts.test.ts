import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { operatorAuthOn } from '../src/main.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'ac-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs an npm account script the way the README says, on an embedded database of its own. */
async function cli(script: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dir, PGLITE_THREAD: 'main', LOGIN_HASHING: undefined };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, ...args], { env, stdin: 'ignore' } as never);
    return { code: 0, out: String(stdout), err: String(stderr) };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: String(e.stdout), err: String(e.stderr) };
  }
}

async function operatorSignsIn(email: string, password: string): Promise<boolean> {
  const db = await openPglite(dir);
  try {
    await operatorAuthOn(db).login({ email, password });
    return true;
  } catch {
    return false;
  } finally {
    await db.close();
  }
}

describe('account CLIs (npm run operator:create, npm run admin:password)', { timeout: 120_000 }, () => {
  it('creates an operator with a generated password that signs in, and resets it', async () => {
    const created = await cli('operator-create', ['--email', ' Ops@Example.FR ', '--generate']);
    expect(created.code, created.err).toBe(0);
    const password = /Mot de passe : (\S+)/.exec(created.out)?.[1];
    expect(created.out).toContain('Compte opérateur créé pour ops@example.fr.');
    expect(password?.length).toBeGreaterThanOrEqual(10);
    expect(await operatorSignsIn('ops@example.fr', password!)).toBe(true);

    const reset = await cli('operator-create', ['--email', 'ops@example.fr', '--reset', '--password', 'une-autre-phrase-secrete']);
    expect(reset.code, reset.err).toBe(0);
    expect(reset.out).toContain('Mot de passe mis à jour pour ops@example.fr.');
    expect(reset.out).not.toContain('une-autre-phrase-secrete');
    expect(await operatorSignsIn('ops@example.fr', password!)).toBe(false);
    expect(await operatorSignsIn('ops@example.fr', 'une-autre-phrase-secrete')).toBe(true);
  });

  it('refuses in French, with a non-zero code: no e-mail, a taken e-mail, a short password', async () => {
    const noEmail = await cli('operator-create', ['--generate']);
    expect(noEmail.code).toBe(2);
    expect(noEmail.err).toContain('Précisez le compte');

    const taken = await cli('operator-create', ['--email', 'ops@example.fr', '--generate']);
    expect(taken.code).toBe(1);
    expect(taken.err).toContain('Un compte opérateur existe déjà avec cette adresse e-mail.');
    expect(taken.err).not.toMatch(/at \S+\.ts:\d+/);

    const short = await cli('operator-create', ['--email', 'autre@example.fr', '--password', 'court']);
    expect(short.code).toBe(1);
    expect(short.err).toMatch(/10 caractères/);
  });

  it('admin:password without --email needs a single sign-in on the instance', async () => {
    const result = await cli('admin-password', ['--generate']);
    // This database has no business yet: no single account to pick.
    expect(result.code).toBe(2);
    expect(result.err).toContain('Précisez le compte');
  });
});
