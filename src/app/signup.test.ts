import { describe, expect, it } from 'vitest';
import { makeSignup, type SignupMode, type SignupStore } from './signup.ts';

/** The sign-up use case with a fake store: what it asks the store, and what it refuses before asking. */
function sut(mode: SignupMode, taken: string[] = []) {
  const calls: string[] = [];
  const store: SignupStore = {
    slugTaken: async (slug) => {
      calls.push(`slugTaken:${slug}`);
      return taken.includes(slug);
    },
    create: async (business) => {
      calls.push(`create:${business.slug}`);
      return 'created';
    },
    pendingByEmail: async () => undefined,
    addConfirmationWithin: async () => true,
    confirm: async () => undefined,
    addInvitation: async () => undefined,
    listInvitations: async () => ({ invitations: [], total: 0 }),
    revokeInvitation: async () => 'missing',
    purgeUnconfirmed: async () => 0,
  };
  let n = 0;
  const signup = makeSignup({
    mode,
    store,
    hasher: { hash: async (p) => `hash:${p}`, verify: async () => true },
    clock: { now: () => Date.parse('2027-03-01T07:00:00Z') },
    random: { uuid: () => `00000000-0000-4000-8000-00000000000${n++}`, bytes: (k) => new Uint8Array(k).fill(7) },
    confirmPageUrl: 'https://rdv.example.fr/inscription/confirmer',
    signupPageUrl: 'https://rdv.example.fr/inscription',
    mailer: async () => undefined,
    log: { warn: () => undefined, info: () => undefined },
  });
  return { signup, calls };
}

const input = { displayName: 'Plomberie Durand', slug: 'plomberie-durand', email: 'paul@durand.fr', password: 'un-mot-de-passe-solide' };

describe('sign-up', () => {
  it('suggests the first free slug from a name, skipping taken ones', async () => {
    const { signup } = sut('open', ['plomberie-durand', 'plomberie-durand-2']);
    expect(await signup.checkSlug({ name: 'Plomberie Durand' })).toEqual({ slug: 'plomberie-durand-3', available: true });
    expect(await signup.checkSlug({ name: 'Œuvres & Énergie' })).toEqual({ slug: 'oeuvres-et-energie', available: true });
  });

  it('a name whose slug is reserved is offered a numbered one', async () => {
    const { signup } = sut('open');
    expect(await signup.checkSlug({ name: 'Admin' })).toEqual({ slug: 'admin-2', available: true });
  });

  it('closed: refuses before reading anything', async () => {
    const { signup, calls } = sut('closed');
    await expect(signup.signUp(input)).rejects.toMatchObject({ code: 'SIGNUP_CLOSED' });
    await expect(signup.checkSlug({ slug: 'plomberie-durand' })).rejects.toMatchObject({ code: 'SIGNUP_CLOSED' });
    expect(calls).toEqual([]);
  });

  it('invite: without a well-formed invitation nothing is written', async () => {
    const { signup, calls } = sut('invite');
    await expect(signup.signUp(input)).rejects.toMatchObject({ code: 'INVITATION_INVALID' });
    await expect(signup.signUp({ ...input, invitation: 'short' })).rejects.toMatchObject({ code: 'INVITATION_INVALID' });
    expect(calls).toEqual([]);
  });

  it('open: the business is created with the slug as given, lowercased, and the e-mail normalised', async () => {
    const { signup, calls } = sut('open');
    expect(await signup.signUp({ ...input, slug: 'Plomberie-Durand', email: ' Paul@Durand.FR ' })).toEqual({ email: 'paul@durand.fr', slug: 'plomberie-durand' });
    expect(calls).toEqual(['create:plomberie-durand']);
  });
});
