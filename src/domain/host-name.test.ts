import { describe, expect, it } from 'vitest';
import type { ErrorDetail } from './errors.ts';
import { checkHostName } from './host-name.ts';

const check = (input: string | null) => {
  const details: ErrorDetail[] = [];
  const host = checkHostName(input, details, { instanceHost: 'rdv.example.fr' });
  return { host, problem: details[0]?.message };
};

describe('a business host name', () => {
  it.each([
    ['rdv.plomberie-dupont.fr', 'rdv.plomberie-dupont.fr'],
    ['  RDV.Plomberie-Dupont.FR. ', 'rdv.plomberie-dupont.fr'],
    ['dupont.rdv.example.fr', 'dupont.rdv.example.fr'],
    // The WHATWG URL parser's own punycode, as a browser sends it in Host.
    ['plomberie-élec.fr', new URL('http://plomberie-élec.fr').hostname],
  ])('keeps %j as %j', (input, kept) => {
    expect(check(input)).toEqual({ host: kept, problem: undefined });
  });

  it('empty means none', () => {
    expect(check('')).toEqual({ host: null, problem: undefined });
    expect(check(null)).toEqual({ host: null, problem: undefined });
  });

  it.each([
    ['https://rdv.plomberie-dupont.fr', /sans http/],
    ['rdv.plomberie-dupont.fr:8443', /sans http/],
    ['rdv.plomberie-dupont.fr/page', /sans http/],
    ['plomberie', /n'est pas valide/],
    ['-dupont.fr', /n'est pas valide/],
    ['dupont-.fr', /n'est pas valide/],
    ['dupont..fr', /n'est pas valide/],
    ['dupont_plomberie.fr', /n'est pas valide/],
    [`${'a'.repeat(64)}.fr`, /n'est pas valide/],
    ['192.0.2.10', /adresse IP/],
    ['rdv.example.fr', /l'instance elle-même/],
    ['localhost.', /n'est pas valide|l'instance/],
  ])('refuses %j in French', (input, reason) => {
    expect(check(input).problem).toMatch(reason);
  });
});
