import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * The page a manage link opens: `/gerer?token=…`. Self-contained (no framework, no external
 * resource): it reads the token, shows the booking and lets the customer cancel or move it
 * through the public API. Booking data is written with textContent only, never as HTML.
 */
const page = (nonce: string): string => `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Gérer mon rendez-vous — ArtisanConnect</title>
<style nonce="${nonce}">
  *, *::before, *::after { box-sizing: border-box; }
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; max-width: 36rem; margin: 0 auto; padding: 1rem; color: #1f2933; line-height: 1.5; -webkit-text-size-adjust: 100%; }
  h1 { font-size: 1.4rem; margin: .5rem 0 1rem; } h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
  dt { color: #52606d; } dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
  button { font: inherit; min-height: 2.75rem; padding: .5rem 1rem; border-radius: .4rem; border: 1px solid #1d4ed8; background: #1d4ed8; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #1d4ed8; } button.danger { border-color: #b91c1c; background: #b91c1c; }
  button:disabled { opacity: .5; cursor: default; }
  button:focus-visible, input:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  section { margin: 1.25rem 0; padding: 1rem; border: 1px solid #d9e2ec; border-radius: .5rem; }
  label { display: block; font-weight: 600; }
  input[type=date] { display: block; margin-top: .3rem; font: inherit; padding: .45rem .6rem; min-height: 2.75rem; width: 100%; max-width: 16rem; border: 1px solid #9aa5b1; border-radius: .4rem; background: #fff; color: inherit; }
  .msg { padding: .75rem 1rem; border-radius: .4rem; margin: 0 0 1rem; } .msg:focus { outline: none; }
  .err { background: #fde8e8; color: #7f1d1d; } .ok { background: #e3f9e5; color: #14532d; }
  .hint { color: #52606d; margin: .75rem 0 0; }
  .slots { display: grid; grid-template-columns: repeat(auto-fill, minmax(5rem, 1fr)); gap: .5rem; margin-top: .5rem; }
  [hidden] { display: none !important; }
  @media (max-width: 22rem) { dl { grid-template-columns: 1fr; } dd { margin-bottom: .4rem; } }
</style>
</head>
<body>
<main>
<h1>Gérer mon rendez-vous</h1>
<div id="message" class="msg" tabindex="-1" role="status" aria-live="polite" hidden></div>
<p id="loading">Chargement de votre réservation…</p>
<div id="booking" hidden>
  <dl>
    <dt>Prestation</dt><dd id="service"></dd>
    <dt>Date</dt><dd id="when"></dd>
    <dt>Durée</dt><dd id="duration"></dd>
    <dt id="address-label" hidden>Adresse</dt><dd id="address" hidden></dd>
    <dt>Code</dt><dd id="code"></dd>
    <dt>Statut</dt><dd id="status"></dd>
    <dt>Acompte</dt><dd id="deposit"></dd>
  </dl>
  <div id="actions">
    <section aria-labelledby="move-title">
      <h2 id="move-title">Déplacer le rendez-vous</h2>
      <label for="newDate">Nouvelle date</label>
      <input type="date" id="newDate">
      <p class="hint" id="slots-title" aria-live="polite"></p>
      <div class="slots" id="slots" role="group" aria-labelledby="slots-title"></div>
    </section>
    <section aria-labelledby="cancel-title">
      <h2 id="cancel-title">Annuler le rendez-vous</h2>
      <p>Selon le délai avant le rendez-vous, l'acompte est remboursé en tout ou partie, ou conservé.</p>
      <button type="button" class="danger" id="cancel">Annuler mon rendez-vous</button>
    </section>
  </div>
</div>
</main>
<script nonce="${nonce}">
(function () {
  var token = new URLSearchParams(location.search).get('token') || '';
  var current = null;
  var $ = function (id) { return document.getElementById(id); };
  var OFFLINE = 'Impossible de joindre le service. Vérifiez votre connexion puis réessayez.';
  var STATUS = { confirmed: 'Confirmé', rescheduled: 'Déplacé', cancelled: 'Annulé' };
  var PAYMENT = { pending: 'en attente', authorized: 'autorisé', captured: 'réglé', refunded: 'remboursé', failed: 'refusé' };
  // A message may sit far above the button that caused it (phones): bring it into view.
  function say(text, ok) {
    var m = $('message'); m.textContent = text; m.className = 'msg ' + (ok ? 'ok' : 'err');
    m.setAttribute('role', ok ? 'status' : 'alert'); m.hidden = false;
    m.focus({ preventScroll: true }); m.scrollIntoView({ block: 'nearest' });
  }
  function euros(c) { return (c / 100).toFixed(2).replace('.', ',') + '\u00a0€'; }
  // The booking's date and time are the artisan's wall clock: format the date as a calendar
  // date (UTC on both sides), never through the visitor's own time zone.
  function longDate(ymd) {
    var p = ymd.split('-').map(Number);
    return new Date(Date.UTC(p[0], p[1] - 1, p[2])).toLocaleDateString('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  }
  function call(method, url, body) {
    return fetch(url, { method: method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined })
      .catch(function () { throw new Error(OFFLINE); })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) {
          var e = j && j.error; var detail = e && e.details && e.details[0] && e.details[0].message;
          throw new Error(detail || (e && e.message) || 'Une erreur est survenue. Merci de réessayer.');
        }
        return j; }); });
  }
  function show(b) {
    current = b;
    $('loading').hidden = true; $('booking').hidden = false;
    $('service').textContent = b.serviceName;
    $('when').textContent = longDate(b.date) + ' à\u00a0' + b.time;
    $('duration').textContent = b.durationMinutes + ' min';
    var a = b.customer && b.customer.address;
    $('address-label').hidden = $('address').hidden = !a;
    if (a) $('address').textContent = a.street + ', ' + a.postalCode + ' ' + a.city;
    $('code').textContent = b.publicCode;
    $('status').textContent = STATUS[b.status] || b.status;
    $('deposit').textContent = depositText(b);
    $('actions').hidden = b.status === 'cancelled';
    $('newDate').value = b.date;
  }
  // A cancelled deposit stays "authorized" until the refund is settled in the background:
  // say nothing about its state then rather than something stale.
  function depositText(b) {
    var d = b.deposit;
    if (!d.amountCents) return 'aucun';
    if (d.paymentStatus === 'refunded') return euros(d.amountCents) + (d.refundedCents < d.amountCents ? ' (remboursé\u00a0: ' + euros(d.refundedCents) + ')' : ' (remboursé)');
    if (b.status === 'cancelled' || !PAYMENT[d.paymentStatus]) return euros(d.amountCents);
    return euros(d.amountCents) + ' (' + PAYMENT[d.paymentStatus] + ')';
  }
  function cancelOutcome(booking, refund) {
    var deposit = booking.deposit.amountCents;
    if (!deposit) return 'Votre rendez-vous est annulé.';
    if (refund.refundCents >= deposit) return 'Votre rendez-vous est annulé. Votre acompte de ' + euros(deposit) + ' vous est intégralement remboursé.';
    if (refund.refundCents > 0) return 'Votre rendez-vous est annulé. ' + euros(refund.refundCents) + ' de votre acompte vous sont remboursés, ' + euros(refund.retainedCents) + ' sont conservés selon les conditions d’annulation.';
    return 'Votre rendez-vous est annulé. Votre acompte de ' + euros(deposit) + ' est conservé selon les conditions d’annulation.';
  }
  function loadSlots() {
    var date = $('newDate').value; var box = $('slots'); var title = $('slots-title');
    box.textContent = ''; title.textContent = '';
    if (!date || !current || current.status === 'cancelled') return;
    title.textContent = 'Recherche des créneaux libres…';
    call('GET', '/api/availability?serviceId=' + encodeURIComponent(current.serviceId) + '&date=' + encodeURIComponent(date)).then(function (a) {
      if (date !== $('newDate').value) return;
      var free = a.slots.filter(function (s) { return s.available; });
      if (!free.length) { title.textContent = 'Aucun créneau libre le ' + longDate(date) + '. Choisissez une autre date.'; return; }
      title.textContent = 'Créneaux libres le ' + longDate(date) + '\u00a0:';
      free.forEach(function (s) {
        var b = document.createElement('button'); b.type = 'button'; b.className = 'secondary'; b.textContent = s.time;
        b.setAttribute('aria-label', 'Déplacer au ' + longDate(date) + ' à ' + s.time);
        b.addEventListener('click', function () {
          if (!confirm('Déplacer le rendez-vous au ' + longDate(date) + ' à ' + s.time + '\u00a0?')) return;
          var all = box.querySelectorAll('button'); for (var i = 0; i < all.length; i++) all[i].disabled = true;
          call('POST', '/api/bookings/' + encodeURIComponent(current.publicCode) + '/reschedule', { token: token, newDate: date, newTime: s.time })
            .then(function (r) { show(r.booking); say('Votre rendez-vous est déplacé au ' + longDate(r.booking.date) + ' à\u00a0' + r.booking.time + '. Une confirmation vous est envoyée.', true); loadSlots(); })
            .catch(function (e) { say(e.message, false); loadSlots(); });
        });
        box.appendChild(b);
      });
    }).catch(function (e) { if (date === $('newDate').value) title.textContent = e.message; });
  }
  $('newDate').addEventListener('change', loadSlots);
  $('cancel').addEventListener('click', function () {
    if (!confirm('Annuler définitivement ce rendez-vous\u00a0?')) return;
    $('cancel').disabled = true;
    call('POST', '/api/bookings/' + encodeURIComponent(current.publicCode) + '/cancel', { token: token })
      .then(function (r) { show(r.booking); say(cancelOutcome(r.booking, r.refund), true); })
      .catch(function (e) { say(e.message, false); $('cancel').disabled = false; });
  });
  if (!token) { $('loading').hidden = true; say("Ce lien ne contient pas de jeton de gestion. Utilisez le lien reçu par e-mail.", false); return; }
  call('GET', '/api/bookings/manage?token=' + encodeURIComponent(token)).then(function (r) { show(r.booking); loadSlots(); })
    .catch(function (e) { $('loading').hidden = true; say(e.message, false); });
})();
</script>
</body>
</html>`;

export async function managePageRoute(app: FastifyInstance): Promise<void> {
  app.get('/gerer', { schema: { hide: true } }, async (_request, reply) => {
    const nonce = randomBytes(16).toString('base64');
    return reply
      .type('text/html; charset=utf-8')
      // The token is in the URL: it must not leak through Referer or a shared cache.
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .header('content-security-policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`)
      .send(page(nonce));
  });
}
