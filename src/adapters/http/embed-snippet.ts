import type { BusinessAddress } from '../../domain/business-address.ts';

/**
 * The HTML an artisan pastes in their own site to show the booking page: the one source of
 * the snippet. The back office's "Intégration" screen shows it (GET /api/admin/embed) for the
 * business's own address (domain/business-address.ts: its host name, `https://instance/{slug}`,
 * or the bare instance for a business without a slug), and the README's example is this
 * function's output for https://rdv.plombier-dupont.fr (a test checks both). `?embed=1` makes
 * the page report its height; `data-artisanconnect` marks the iframe `embed.js` resizes to it.
 */
export function embedSnippet(address: Pick<BusinessAddress, 'page' | 'site'>): string {
  return [
    `<iframe data-artisanconnect src="${address.page}?embed=1"`,
    `        title="Prendre rendez-vous" style="width:100%;border:0" height="900"></iframe>`,
    `<script src="${address.site}/embed.js" async></script>`,
  ].join('\n');
}
