import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { OperatorConsole } from '../../../app/operator-console.ts';
import { ConflictError, NotFoundError } from '../../../domain/errors.ts';
import type { Backup } from '../../db/backup.ts';
import { backupPath, listBackups } from '../../db/backup-schedule.ts';
import type { BusinessArchiveMaker } from '../../export/business-archive.ts';
import { Uuid } from '../admin-schemas.ts';
import { errorResponses } from '../schemas.ts';
import { sendArchive } from './admin-export.ts';

/**
 * The data side of the operator's console (issue 19, item 4): a business's export (GDPR
 * portability), its deletion after a grace period, and the instance's backups — the whole
 * database, every business in it, hence the operator's only. Registered inside the operator's
 * guarded scope (session cookie, CSRF token on writes). Restoring stays `npm run restore`: it
 * loads into an empty database, with the service stopped.
 */
export interface OperatorDataDeps {
  console: OperatorConsole;
  archive: BusinessArchiveMaker;
  /** A fresh backup of the whole database (the engine's own tool). */
  backup: () => Promise<Backup>;
  engine: string;
  /** BACKUP_DIR and its writer; undefined when scheduled backups are not configured. */
  backups: { dir: string; runOnce(): Promise<string> } | undefined;
  clock: { now(): number };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const stampOf = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const Params = Type.Object({ artisanId: Uuid });
const Deletion = Type.Object({
  scheduled: Type.Boolean(),
  graceDays: Type.Integer(),
  deletionDueAt: Type.String({ description: 'Date de la suppression : programmée, ou qu’elle aurait si elle était programmée maintenant' }),
  upcomingPaidBookings: Type.Array(
    Type.Object({
      publicCode: Type.String(),
      startsAt: Type.String(),
      serviceName: Type.String(),
      customerName: Type.String(),
      depositCents: Type.Integer(),
      paymentStatus: Type.String(),
    }),
    { description: 'Rendez-vous à venir dont l’acompte est payé : à régler avec l’entreprise (remboursement) avant la date' },
  ),
});
const BackupFile = Type.Object({ name: Type.String(), sizeBytes: Type.Integer(), createdAt: Type.String() });
const Binary = { description: 'Le fichier', type: 'string', format: 'binary' } as const;

const backupsNotConfigured = (): ConflictError =>
  new ConflictError('BACKUPS_NOT_CONFIGURED', "Aucun répertoire de sauvegardes (BACKUP_DIR) n'est configuré : téléchargez une sauvegarde à la place.");
const backupNotFound = (): NotFoundError => new NotFoundError('BACKUP_NOT_FOUND', "Cette sauvegarde n'existe pas (ou plus).");

export function operatorDataRoutes(deps: OperatorDataDeps) {
  return async (scope: FastifyInstance): Promise<void> => {
    const s = scope.withTypeProvider<TypeBoxTypeProvider>();

    // Binary answers: declared for the documentation, sent as streams (hence the untyped scope).
    scope.get<{ Params: { artisanId: string } }>(
      '/api/operator/businesses/:artisanId/export',
      { schema: { summary: 'Exporter une entreprise : toutes ses données en archive .tar.gz (portabilité RGPD), noté au journal', params: Params, response: { 200: Binary, ...errorResponses(400, 401, 404) } } },
      async (request, reply) => {
        await deps.console.recordExport(request.operator, request.params.artisanId);
        const archive = await deps.archive(request.params.artisanId);
        if (!archive) throw new NotFoundError('BUSINESS_NOT_FOUND', "Cette entreprise n'existe pas sur l'instance.");
        request.log.info({ artisanId: request.params.artisanId }, 'business exported by the operator');
        return sendArchive(request, reply, archive);
      },
    );

    const previewOf = async (artisanId: string) => {
      const p = await deps.console.deletionPreview(artisanId);
      return {
        scheduled: p.scheduled,
        graceDays: p.graceDays,
        deletionDueAt: iso(p.deletionDueMs),
        upcomingPaidBookings: p.upcomingPaidBookings.map(({ startsMs, ...b }) => ({ ...b, startsAt: iso(startsMs) })),
      };
    };
    s.get(
      '/api/operator/businesses/:artisanId/deletion',
      { schema: { summary: 'Avant de supprimer une entreprise : la date, et ses rendez-vous à venir déjà payés', params: Params, response: { 200: Deletion, ...errorResponses(400, 401, 404) } } },
      async (request) => previewOf(request.params.artisanId),
    );
    s.post(
      '/api/operator/businesses/:artisanId/deletion',
      {
        schema: {
          summary: 'Programmer la suppression d’une entreprise (suspendue tout de suite, supprimée avec toutes ses données après le délai de grâce)',
          params: Params,
          response: { 200: Deletion, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        await deps.console.scheduleDeletion(request.operator, request.params.artisanId);
        return previewOf(request.params.artisanId);
      },
    );
    s.delete(
      '/api/operator/businesses/:artisanId/deletion',
      { schema: { summary: 'Annuler la suppression programmée (l’entreprise reste suspendue jusqu’à son rétablissement)', params: Params, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } },
      async (request, reply) => {
        await deps.console.cancelDeletion(request.operator, request.params.artisanId);
        return reply.status(204).send(null);
      },
    );

    s.get(
      '/api/operator/backups',
      {
        schema: {
          summary: 'Sauvegardes de l’instance (toute la base) dans BACKUP_DIR, la plus récente d’abord',
          response: { 200: Type.Object({ configured: Type.Boolean(), engine: Type.String(), backups: Type.Array(BackupFile) }), ...errorResponses(401) },
        },
      },
      async () => ({
        configured: deps.backups !== undefined,
        engine: deps.engine,
        backups: deps.backups ? listBackups(deps.backups.dir).map(({ createdMs, ...b }) => ({ ...b, createdAt: iso(createdMs) })) : [],
      }),
    );
    s.post(
      '/api/operator/backups',
      { schema: { summary: 'Faire une sauvegarde de l’instance maintenant (dans BACKUP_DIR)', response: { 201: BackupFile, ...errorResponses(401, 403, 409) } } },
      async (request, reply) => {
        if (!deps.backups) throw backupsNotConfigured();
        const name = basename(await deps.backups.runOnce());
        request.log.info({ operator: request.operator.operatorId, name }, 'instance backup written on request');
        const file = listBackups(deps.backups.dir).find((b) => b.name === name);
        // Kept: the newest is never pruned by BACKUP_KEEP (at least 1).
        return reply.status(201).send({ name, sizeBytes: file?.sizeBytes ?? 0, createdAt: iso(file?.createdMs ?? deps.clock.now()) });
      },
    );
    scope.get<{ Params: { name: string } }>(
      '/api/operator/backups/:name',
      {
        schema: {
          summary: 'Télécharger une sauvegarde de BACKUP_DIR (à restaurer avec npm run restore)',
          params: Type.Object({ name: Type.String({ maxLength: 80 }) }),
          response: { 200: Binary, ...errorResponses(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const file = deps.backups ? backupPath(deps.backups.dir, request.params.name) : undefined;
        if (!file) throw backupNotFound();
        request.log.info({ operator: request.operator.operatorId, name: request.params.name }, 'instance backup downloaded');
        return reply
          .header('content-type', request.params.name.endsWith('.sql') ? 'application/sql; charset=utf-8' : 'application/gzip')
          .header('content-disposition', `attachment; filename="${request.params.name}"`)
          .header('cache-control', 'no-store')
          .send(createReadStream(file));
      },
    );
    scope.get(
      '/api/operator/backup',
      {
        schema: {
          summary: 'Sauvegarde complète de l’instance, prise maintenant (à restaurer avec npm run restore)',
          description:
            "Instantané cohérent de toute la base (toutes les entreprises), pris pendant que le service continue de prendre des réservations : archive PGlite (`.tar.gz`) pour la base intégrée, export `pg_dump` (`.sql`) pour PostgreSQL. Le fichier contient les données personnelles des clients de toutes les entreprises : à conserver en lieu sûr.",
          response: { 200: Binary, ...errorResponses(401) },
        },
      },
      async (request, reply) => {
        const backup = await deps.backup();
        request.log.info({ format: backup.format, operator: request.operator.operatorId }, 'backup requested');
        backup.stream.on('error', (err) => request.log.error({ err }, 'backup stream failed; the client gets a truncated body'));
        return reply
          .header('content-type', backup.contentType)
          .header('content-disposition', `attachment; filename="artisanconnect-${deps.engine}-${stampOf(deps.clock.now())}${backup.extension}"`)
          .header('cache-control', 'no-store')
          .send(backup.stream);
      },
    );
  };
}
