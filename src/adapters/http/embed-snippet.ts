/**
 * The HTML an artisan pastes in their own site to show the booking page: the one source of
 * the snippet. The back office's "Intégration" screen shows it (GET /api/admin/embed) and the
 * README's example is this function's output for https://rdv.plombier-dupont.fr (a test
 * checks both). `?embed=1` makes the page report its height; `data-artisanconnect` marks the
 * iframe `embed.js` resizes to it.
 */
export function embedSnippet(publicBaseUrl: string): string {
  const origin = new URL(publicBaseUrl).origin;
  return [
    `<iframe data-artisanconnect src="${origin}/?embed=1"`,
    `        title="Prendre rendez-vous" style="width:100%;border:0" height="900"></iframe>`,
    `<script src="${origin}/embed.js" async></script>`,
  ].join('\n');
}
