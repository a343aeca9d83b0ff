import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { businessAddress } from '../../domain/business-address.ts';
import { embedSnippet } from './embed-snippet.ts';

describe('embed snippet', () => {
  it("is the README's example for its PUBLIC_BASE_URL: the back office and the README give the same code", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(embedSnippet(businessAddress('https://rdv.plombier-dupont.fr', { slug: null, hostName: null })));
  });

  it('points at the service with ?embed=1, data-artisanconnect and embed.js, whatever the trailing slash', () => {
    const snippet = embedSnippet(businessAddress('http://127.0.0.1:3000/', { slug: null, hostName: null }));
    expect(snippet).toContain('<iframe data-artisanconnect src="http://127.0.0.1:3000/?embed=1"');
    expect(snippet).toContain('<script src="http://127.0.0.1:3000/embed.js" async></script>');
  });

  it("under a business's slug: its page at /{slug}, the script from the instance", () => {
    const snippet = embedSnippet(businessAddress('https://rdv.example.fr', { slug: 'plomberie-dupont', hostName: null }));
    expect(snippet).toContain('<iframe data-artisanconnect src="https://rdv.example.fr/plomberie-dupont?embed=1"');
    expect(snippet).toContain('<script src="https://rdv.example.fr/embed.js" async></script>');
  });
});
