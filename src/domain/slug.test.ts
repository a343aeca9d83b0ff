import { describe, expect, it } from 'vitest';
import { checkSlug, mayBeSlug, suggestSlug } from './slug.ts';

describe('business slugs', () => {
  it.each([
    ['Plomberie Dupont', 'plomberie-dupont'],
    ['Électricité Lefèvre & Fils', 'electricite-lefevre-et-fils'],
    ['  Chauffage Œuvre — Saint-Étienne  ', 'chauffage-oeuvre-saint-etienne'],
    ["L'Atelier du Bâtiment", 'latelier-du-batiment'],
  ])('suggests %j → %j', (name, slug) => {
    expect(suggestSlug(name)).toBe(slug);
  });

  it('refuses reserved words, bad shapes and lengths, in French, under the field', () => {
    for (const bad of ['admin', 'api', 'inscription', 'operator', 'gerer']) {
      const details: { field: string; message: string }[] = [];
      checkSlug(bad, details);
      expect(details, bad).toEqual([{ field: 'slug', message: expect.stringMatching(/réservée/) }]);
    }
    for (const bad of ['ab', 'a'.repeat(61), 'Plomberie Dupont', 'plomberie--dupont', '-dupont', 'dupont-', 'dupônt']) {
      const details: { field: string; message: string }[] = [];
      checkSlug(bad, details);
      expect(details, bad).toHaveLength(1);
    }
    const ok: { field: string; message: string }[] = [];
    expect(checkSlug(' Plomberie-Dupont ', ok)).toBe('plomberie-dupont');
    expect(ok).toEqual([]);
  });

  it('tells a business path segment from the instance’s own', () => {
    expect(mayBeSlug('plomberie-dupont')).toBe(true);
    expect(mayBeSlug('api')).toBe(false);
    expect(mayBeSlug('assets')).toBe(false);
    expect(mayBeSlug('embed.js')).toBe(false);
  });
});
