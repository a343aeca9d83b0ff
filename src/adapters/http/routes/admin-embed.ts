import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AdminRoutes } from '../admin-scope.ts';
import { adminErrors } from '../admin-schemas.ts';
import { embedSnippet } from '../embed-snippet.ts';
import type { BusinessAddress } from '../../../domain/business-address.ts';

const EmbedDto = Type.Object({
  snippet: Type.String({
    description: "Code HTML à coller dans le site (iframe + embed.js), vers l'adresse propre de l'entreprise : son nom d'hôte, sinon PUBLIC_BASE_URL/{slug}",
  }),
  allowedOrigins: Type.Array(Type.String(), { description: 'Sites autorisés à afficher la page (EMBED_ALLOWED_ORIGINS)' }),
});

/** The back office's "Intégration" screen: the snippet to paste and the sites allowed to (paths relative to /api/admin). */
export function adminEmbedRoutes(deps: { addressOf(artisanId: string): Promise<BusinessAddress>; embedAllowedOrigins: string[] }): AdminRoutes {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/embed',
      {
        config: { adminAccess: 'settings' },
        schema: { summary: "Code d'intégration de la page de réservation", response: { 200: EmbedDto, ...adminErrors(401) } },
      },
      async (request) => ({ snippet: embedSnippet(await deps.addressOf(request.admin.artisanId)), allowedOrigins: deps.embedAllowedOrigins }),
    );
  };
}
