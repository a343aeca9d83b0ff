import type { FastifyInstance } from 'fastify';
import type { Backup } from '../../db/backup.ts';
import type { AdminRoutes } from '../admin-scope.ts';

/**
 * GET /api/admin/backup: a consistent snapshot of the whole database, streamed while the
 * service keeps taking bookings (PGlite's data directory snapshot, or pg_dump of the server).
 * `npm run restore -- FILE` loads it into an empty DATA_DIR or an empty PostgreSQL database.
 */
export function adminBackupRoutes(deps: { backup: () => Promise<Backup>; engine: string; clock: { now(): number } }): AdminRoutes {
  return async (scope: FastifyInstance) => {
    scope.get(
      '/backup',
      {
        config: { adminAccess: 'session' },
        schema: {
          summary: 'Sauvegarde complète de la base (à restaurer avec npm run restore)',
          description:
            "Instantané cohérent de toute la base, pris pendant que le service continue de prendre des réservations : archive PGlite (`.tar.gz`) pour la base intégrée, export `pg_dump` (`.sql`) pour PostgreSQL. Le fichier contient les données personnelles des clients : à conserver en lieu sûr.",
          response: { 200: { description: 'Le fichier de sauvegarde', type: 'string', format: 'binary' }, 401: { $ref: 'ErrorResponse' } },
        },
      },
      async (request, reply) => {
        const backup = await deps.backup();
        const stamp = new Date(deps.clock.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
        request.log.info({ format: backup.format, actor: request.admin.actor }, 'backup requested');
        backup.stream.on('error', (err) => request.log.error({ err }, 'backup stream failed; the client gets a truncated body'));
        return reply
          .header('content-type', backup.contentType)
          .header('content-disposition', `attachment; filename="artisanconnect-${deps.engine}-${stamp}${backup.extension}"`)
          .header('cache-control', 'no-store')
          .send(backup.stream);
      },
    );
  };
}
