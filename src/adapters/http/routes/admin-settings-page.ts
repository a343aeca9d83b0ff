import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import QRCode from 'qrcode';
import { Type } from 'typebox';
import type { ReadSetupChecklist } from '../../../app/setup-checklist.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { adminErrors } from '../admin-schemas.ts';
import { StringEnum } from '../schemas.ts';
import type { BusinessAddress } from '../../../domain/business-address.ts';

const SetupChecklistDto = Type.Object({
  hours: Type.Boolean({ description: "Au moins une plage d'ouverture dans la semaine" }),
  service: Type.Boolean({ description: 'Au moins une prestation active' }),
  payments: Type.Boolean({ description: "Encaissement de l'acompte choisi (écran Paiements enregistré), ou aucune prestation active avec acompte" }),
  ready: Type.Boolean({ description: 'Tout est fait : la page peut prendre une réservation' }),
});

const BookingPageDto = Type.Object({
  url: Type.String({ description: "Adresse publique de la page de réservation, à partager : le nom d'hôte de l'entreprise, sinon PUBLIC_BASE_URL/{slug}" }),
});

/**
 * What the booking page still lacks, and the page itself: its address and a QR code of it (for
 * the van and the business cards). Paths relative to /api/admin.
 *
 * The QR code is drawn here rather than in the back office: the `qrcode` library then stays out
 * of the admin bundle, the image is one plain link (shown, and downloaded with `download`), and
 * it always encodes the address the server knows, not one the browser rebuilt.
 */
export function adminSettingsPageRoutes(deps: { checklist: ReadSetupChecklist; addressOf(artisanId: string): Promise<BusinessAddress> }): AdminRoutes {
  const pageOf = async (artisanId: string): Promise<string> => (await deps.addressOf(artisanId)).page;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/setup-checklist',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Ce qui manque à la page de réservation pour prendre un rendez-vous',
          description: "Horaires, prestation active, paiements : l'assistant de démarrage reprend à la première étape non faite, l'agenda affiche ce qui reste.",
          response: { 200: SetupChecklistDto, ...adminErrors(401) },
        },
      },
      async (request) => deps.checklist(request.admin.artisanId),
    );

    app.get(
      '/booking-page',
      { config: { adminAccess: 'settings' }, schema: { summary: 'Adresse publique de la page de réservation', response: { 200: BookingPageDto, ...adminErrors(401) } } },
      async (request) => ({ url: await pageOf(request.admin.artisanId) }),
    );

    // Without the type provider: the answer is an image (a Buffer for PNG), not the JSON it types.
    root.get(
      '/booking-page/qr',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'QR code de la page de réservation (SVG ou PNG)',
          description: 'Encode l’adresse publique de la page (`/api/admin/booking-page`). `format=svg` (défaut, net à toute taille) ou `png` (1024 px de côté).',
          querystring: Type.Object({ format: Type.Optional(StringEnum(['svg', 'png'] as const, { default: 'svg', description: 'svg ou png' })) }, { additionalProperties: false }),
          response: { 200: { description: "L'image du QR code", type: 'string', format: 'binary' }, ...adminErrors(400, 401) },
        },
      },
      async (request, reply) => {
        const format = (request.query as { format?: 'svg' | 'png' }).format ?? 'svg';
        const url = await pageOf(request.admin.artisanId);
        const image =
          format === 'png'
            ? await QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 4, width: 1024 })
            : await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
        return reply
          .header('content-type', format === 'png' ? 'image/png' : 'image/svg+xml; charset=utf-8')
          .header('content-disposition', `inline; filename="qr-page-de-reservation.${format}"`)
          .header('cache-control', 'no-store')
          .send(image);
      },
    );
  };
}
