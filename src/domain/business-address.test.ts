import { describe, expect, it } from 'vitest';
import { businessAddress } from './business-address.ts';

describe('a business’s public address', () => {
  it.each([
    ['https://rdv.example.fr', { slug: 'plomberie-dupont', hostName: null }, { site: 'https://rdv.example.fr', base: 'https://rdv.example.fr/plomberie-dupont', page: 'https://rdv.example.fr/plomberie-dupont' }],
    ['https://rdv.example.fr/', { slug: 'plomberie-dupont', hostName: 'rdv.plombier-dupont.fr' }, { site: 'https://rdv.plombier-dupont.fr', base: 'https://rdv.plombier-dupont.fr', page: 'https://rdv.plombier-dupont.fr/' }],
    ['http://127.0.0.1:8080', { slug: null, hostName: 'dupont.localhost' }, { site: 'http://dupont.localhost:8080', base: 'http://dupont.localhost:8080', page: 'http://dupont.localhost:8080/' }],
    ['https://rdv.example.fr', { slug: null, hostName: null }, { site: 'https://rdv.example.fr', base: 'https://rdv.example.fr', page: 'https://rdv.example.fr/' }],
    ['https://example.fr/rdv/', { slug: 'plomberie-dupont', hostName: null }, { site: 'https://example.fr/rdv', base: 'https://example.fr/rdv/plomberie-dupont', page: 'https://example.fr/rdv/plomberie-dupont' }],
  ])('on %s, %o is reached at %o', (instance, business, expected) => {
    expect(businessAddress(instance, business)).toEqual(expected);
  });
});
