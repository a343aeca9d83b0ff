import { describe, expect, it } from 'vitest';
import { businessAddress } from './business-address.ts';

describe('a business’s public address', () => {
  it.each([
    ['https://rdv.example.fr', { slug: 'plomberie-dupont', hostName: null }, 'https://rdv.example.fr/plomberie-dupont'],
    ['https://rdv.example.fr/', { slug: 'plomberie-dupont', hostName: 'rdv.plombier-dupont.fr' }, 'https://rdv.plombier-dupont.fr'],
    ['http://127.0.0.1:8080', { slug: null, hostName: 'dupont.localhost' }, 'http://dupont.localhost:8080'],
    ['https://rdv.example.fr', { slug: null, hostName: null }, 'https://rdv.example.fr'],
  ])('on %s, %o is reached at %s', (instance, business, expected) => {
    expect(businessAddress(instance, business)).toBe(expected);
  });
});
