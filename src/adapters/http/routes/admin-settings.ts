import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { makeArtisanSettings } from '../../../app/admin-settings.ts';
import type { makeScheduleExceptions } from '../../../app/admin-exceptions.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { presentArtisan } from '../admin-presenters.ts';
import { ArtisanDto, ArtisanPatchBody, DateRangeQuery, ExceptionBody, ExceptionDto, IdParams, adminErrors } from '../admin-schemas.ts';

export interface AdminSettingsDeps {
  settings: ReturnType<typeof makeArtisanSettings>;
  exceptions: ReturnType<typeof makeScheduleExceptions>;
}

/** Profile, schedule settings and dated exceptions (paths relative to /api/admin). */
export function adminSettingsRoutes(deps: AdminSettingsDeps): AdminRoutes {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/artisan',
      { config: { adminAccess: 'settings' }, schema: { summary: "Profil et réglages d'agenda", response: { 200: Type.Object({ artisan: ArtisanDto }), ...adminErrors(401) } } },
      async (request) => ({ artisan: presentArtisan(await deps.settings.get(request.admin.artisanId)) }),
    );

    app.patch(
      '/artisan',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: "Modifier le profil et les réglages d'agenda",
          description:
            "Modification partielle. `openingRules` ou `breakRules` remplacent tout l'ensemble hebdomadaire correspondant ; chaque pause doit se situer dans une plage d'ouverture du même jour. Les disponibilités publiques changent immédiatement.",
          body: ArtisanPatchBody,
          response: { 200: Type.Object({ artisan: ArtisanDto }), ...adminErrors(400, 401) },
        },
      },
      async (request) => ({ artisan: presentArtisan(await deps.settings.update(request.admin.artisanId, request.body)) }),
    );

    app.get(
      '/exceptions',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Fermetures et horaires exceptionnels',
          description: "Par date, à partir d'aujourd'hui par défaut (`from`, `to` facultatifs).",
          querystring: DateRangeQuery,
          response: { 200: Type.Object({ exceptions: Type.Array(ExceptionDto) }), ...adminErrors(400, 401) },
        },
      },
      async (request) => ({ exceptions: await deps.exceptions.list(request.admin.artisanId, request.query) }),
    );

    app.post(
      '/exceptions',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Ajouter une fermeture ou des horaires exceptionnels',
          description:
            '`{date, closed: true}` ferme la journée ; `{date, ranges: [...]}` remplace ses horaires (sans pause). Une seule exception par date : 409 si elle existe déjà.',
          body: ExceptionBody,
          response: { 201: Type.Object({ exception: ExceptionDto }), ...adminErrors(400, 401, 409) },
        },
      },
      async (request, reply) => reply.status(201).send({ exception: await deps.exceptions.create(request.admin.artisanId, request.body) }),
    );

    app.delete(
      '/exceptions/:id',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Supprimer une exception',
          params: IdParams,
          response: { 204: Type.Null({ description: 'Supprimée' }), ...adminErrors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        await deps.exceptions.remove(request.admin.artisanId, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
