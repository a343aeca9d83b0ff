import type { FastifyInstance } from 'fastify';

/**
 * What someone opening the service's address in a browser sees until the booking front
 * lands: what this is and where the API and its reference are. No external assets.
 */
const PAGE = `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ArtisanConnect — service de réservation</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; color: #1f2933; line-height: 1.5; }
  h1 { font-size: 1.6rem; margin-bottom: .25rem; }
  code { background: #f1f5f9; padding: .1rem .3rem; border-radius: .2rem; }
  a { color: #0b5cad; }
  li { margin: .3rem 0; }
</style>
</head>
<body>
<h1>ArtisanConnect</h1>
<p>Le service de réservation est en marche. Les clients choisissent une prestation, voient les créneaux libres,
réservent avec un acompte et gèrent leur rendez-vous avec leur code et leur adresse e-mail.</p>
<ul>
  <li><a href="/api/docs/">Documentation de l’API</a> (OpenAPI : <a href="/api/openapi.json"><code>/api/openapi.json</code></a>)</li>
  <li><a href="/api/services">Prestations proposées</a> — <code>GET /api/services</code></li>
  <li>Créneaux d’une journée — <code>GET /api/availability?serviceId=diag&amp;date=AAAA-MM-JJ</code></li>
  <li><a href="/api/health">État du service</a></li>
</ul>
</body>
</html>`;

export async function homeRoute(app: FastifyInstance): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
