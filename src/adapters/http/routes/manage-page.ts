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
  body { font-family: system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; color: #1f2933; line-height: 1.5; }
  h1 { font-size: 1.4rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
  dt { color: #52606d; } dd { margin: 0; font-weight: 600; }
  button { font: inherit; padding: .55rem 1rem; border-radius: .4rem; border: 1px solid #1d4ed8; background: #1d4ed8; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #1d4ed8; } button.danger { border-color: #b91c1c; background: #b91c1c; }
  button:disabled { opacity: .5; cursor: default; }
  section { margin: 1.5rem 0; padding: 1rem; border: 1px solid #d9e2ec; border-radius: .5rem; }
  .msg { padding: .75rem 1rem; border-radius: .4rem; margin: 1rem 0; } .err { background: #fde8e8; color: #7f1d1d; } .ok { background: #e3f9e5; color: #14532d; }
  .slots { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .6rem; } [hidden] { display: none !important; }
</style>
</head>
<body>
<h1>Gérer mon rendez-vous</h1>
<div id="message" class="msg" role="status" hidden></div>
<p id="loading">Chargement de votre réservation…</p>
<div id="booking" hidden>
  <dl>
    <dt>Prestation</dt><dd id="service"></dd>
    <dt>Date</dt><dd id="when"></dd>
    <dt>Durée</dt><dd id="duration"></dd>
    <dt>Code</dt><dd id="code"></dd>
    <dt>Statut</dt><dd id="status"></dd>
    <dt>Acompte</dt><dd id="deposit"></dd>
  </dl>
  <div id="actions">
    <section>
      <h2>Déplacer le rendez-vous</h2>
      <label>Nouvelle date <input type="date" id="newDate"></label>
      <div class="slots" id="slots"></div>
    </section>
    <section>
      <h2>Annuler le rendez-vous</h2>
      <p>Selon le délai avant le rendez-vous, l'acompte est remboursé en tout ou partie, ou conservé.</p>
      <button class="danger" id="cancel">Annuler mon rendez-vous</button>
    </section>
  </div>
</div>
<script nonce="${nonce}">
(function () {
  var token = new URLSearchParams(location.search).get('token') || '';
  var current = null;
  var $ = function (id) { return document.getElementById(id); };
  function say(text, ok) { var m = $('message'); m.textContent = text; m.className = 'msg ' + (ok ? 'ok' : 'err'); m.hidden = false; }
  function euros(c) { return (c / 100).toFixed(2).replace('.', ',') + ' €'; }
  var STATUS = { confirmed: 'Confirmé', rescheduled: 'Déplacé', cancelled: 'Annulé' };
  function call(method, url, body) {
    return fetch(url, { method: method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error((j && j.error && j.error.message) || 'Une erreur est survenue. Merci de réessayer.');
        return j; }); });
  }
  function show(b) {
    current = b;
    $('loading').hidden = true; $('booking').hidden = false;
    $('service').textContent = b.serviceName;
    var d = new Date(b.date + 'T00:00:00');
    $('when').textContent = d.toLocaleDateString('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }) + ' à ' + b.time;
    $('duration').textContent = b.durationMinutes + ' min';
    $('code').textContent = b.publicCode;
    $('status').textContent = STATUS[b.status] || b.status;
    $('deposit').textContent = euros(b.deposit.amountCents) + (b.deposit.refundedCents ? ' (remboursé : ' + euros(b.deposit.refundedCents) + ')' : '');
    $('actions').hidden = b.status === 'cancelled';
    $('newDate').value = b.date;
  }
  function loadSlots() {
    var date = $('newDate').value; var box = $('slots'); box.textContent = '';
    if (!date || !current) return;
    call('GET', '/api/availability?serviceId=' + encodeURIComponent(current.serviceId) + '&date=' + encodeURIComponent(date)).then(function (a) {
      var free = a.slots.filter(function (s) { return s.available; });
      if (!free.length) { box.textContent = 'Aucun créneau libre ce jour-là.'; return; }
      free.forEach(function (s) {
        var b = document.createElement('button'); b.className = 'secondary'; b.textContent = s.time;
        b.addEventListener('click', function () {
          if (!confirm('Déplacer le rendez-vous au ' + date.split('-').reverse().join('/') + ' à ' + s.time + ' ?')) return;
          call('POST', '/api/bookings/' + encodeURIComponent(current.publicCode) + '/reschedule', { token: token, newDate: date, newTime: s.time })
            .then(function (r) { show(r.booking); say('Votre rendez-vous est déplacé. Une confirmation vous est envoyée.', true); loadSlots(); })
            .catch(function (e) { say(e.message, false); });
        });
        box.appendChild(b);
      });
    }).catch(function (e) { box.textContent = e.message; });
  }
  $('newDate').addEventListener('change', loadSlots);
  $('cancel').addEventListener('click', function () {
    if (!confirm('Annuler définitivement ce rendez-vous ?')) return;
    $('cancel').disabled = true;
    call('POST', '/api/bookings/' + encodeURIComponent(current.publicCode) + '/cancel', { token: token })
      .then(function (r) { show(r.booking); say("Votre rendez-vous est annulé. Acompte remboursé : " + euros(r.refund.refundCents) + '.', true); })
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
