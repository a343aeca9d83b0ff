import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unauthenticated } from '../../../domain/errors.ts';
import type { BusinessArchive, BusinessArchiveMaker } from '../../export/business-archive.ts';
import type { AdminRoutes } from '../admin-scope.ts';

/** Streams a business's archive as a download (the artisan's export and the operator's). */
export function sendArchive(request: FastifyRequest, reply: FastifyReply, archive: BusinessArchive): FastifyReply {
  archive.stream.on('error', (err) => request.log.error({ err }, 'export stream failed; the client gets a truncated body'));
  return reply
    .header('content-type', 'application/gzip')
    .header('content-disposition', `attachment; filename="${archive.filename}"`)
    .header('cache-control', 'no-store')
    .send(archive.stream);
}

/**
 * GET /api/admin/export: "Exporter mes données", the business's own data as an archive
 * (GDPR portability), never another business's. The whole-database backup is the operator's
 * (routes/operator-data.ts). Session only, like the other account actions.
 */
export function adminExportRoutes(deps: { archive: BusinessArchiveMaker }): AdminRoutes {
  return async (scope: FastifyInstance) => {
    scope.get(
      '/export',
      {
        config: { adminAccess: 'session' },
        schema: {
          summary: 'Exporter mes données (archive .tar.gz de toutes les données de l’entreprise)',
          description:
            "Toutes les données de votre entreprise (prestations, horaires, réservations, clients, messages…), une table par fichier au format NDJSON, avec un manifest.json. Les mots de passe, jetons et identifiants chiffrés n'y figurent jamais. Le fichier contient les données personnelles de vos clients : à conserver en lieu sûr.",
          response: { 200: { description: "L'archive", type: 'string', format: 'binary' }, 401: { $ref: 'ErrorResponse' } },
        },
      },
      async (request, reply) => {
        const archive = await deps.archive(request.admin.artisanId);
        // The session's business exists; a purge racing the request answers as a missing session would.
        if (!archive) throw unauthenticated();
        request.log.info({ actor: request.admin.actor, tables: Object.keys(archive.counts).length }, 'business export downloaded');
        return sendArchive(request, reply, archive);
      },
    );
  };
}
