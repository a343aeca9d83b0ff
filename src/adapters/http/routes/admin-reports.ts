import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { CompletionReports, StoredReport } from '../../../app/completion-reports.ts';
import { REPORT_PRESETS, REPORT_VALUE_MAX } from '../../../domain/completion-report.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { CodeParams, StringEnum, errorResponses } from '../schemas.ts';

const FieldDto = Type.Object({ key: Type.String(), label: Type.String(), multiline: Type.Optional(Type.Boolean()), required: Type.Optional(Type.Boolean()) });
const ReportDto = Type.Object({
  entries: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), value: Type.String() })),
  technicianName: Type.String(),
  writtenAt: Type.String({ format: 'date-time' }),
});
const FormDto = Type.Object({ preset: StringEnum(REPORT_PRESETS, { description: 'standard : champs communs ; boiler : entretien de chaudière (mesures de l’attestation)' }), fields: Type.Array(FieldDto) });

const presentReport = (r: StoredReport) => ({ entries: r.entries, technicianName: r.technicianName, writtenAt: new Date(r.writtenMs).toISOString() });

/** The completion report (issue 22 item 2): a service's form, a booking's report, its PDF. */
export function adminReportRoutes(deps: { reports: CompletionReports }): AdminRoutes {
  return async (root) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/services/:id/report-form',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Formulaire du compte rendu d’une prestation',
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
          response: { 200: FormDto, ...errorResponses(401, 404) },
        },
      },
      async (request) => deps.reports.serviceForm(request.admin.artisanId, request.params.id),
    );
    app.put(
      '/services/:id/report-form',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Choisir le formulaire du compte rendu d’une prestation',
          description: 'Travaux réalisés, observations, marque, modèle et numéro de série de l’appareil pour toutes ; « boiler » y ajoute les mesures et conseils de l’attestation d’entretien de chaudière.',
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
          body: Type.Object({ preset: StringEnum(REPORT_PRESETS) }),
          response: { 200: FormDto, ...errorResponses(400, 401, 404) },
        },
      },
      async (request) => deps.reports.setServiceForm(request.admin.artisanId, request.params.id, request.body.preset),
    );

    app.get(
      '/bookings/:publicCode/report',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Le compte rendu d’un rendez-vous : les champs à remplir et celui déjà établi',
          params: CodeParams,
          response: { 200: Type.Object({ fields: Type.Array(FieldDto), report: Type.Optional(ReportDto) }), ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const { fields, report } = await deps.reports.form(request.admin.artisanId, request.params.publicCode);
        return { fields, ...(report ? { report: presentReport(report) } : {}) };
      },
    );
    app.put(
      '/bookings/:publicCode/report',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Établir le compte rendu d’une intervention réalisée',
          description:
            'Après l’issue `completed` (409 BOOKING_NOT_COMPLETED avant). Un PDF en français est créé, gardé avec la réservation et envoyé au client par e-mail ; le client le retrouve avec son lien de gestion. ' +
            'Un nouvel envoi remplace le compte rendu (et l’e-mail pas encore parti).',
          params: CodeParams,
          body: Type.Object({ values: Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: REPORT_VALUE_MAX + 100 })) }),
          response: { 200: Type.Object({ report: ReportDto }), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ({
        report: presentReport(
          await deps.reports.write({ artisanId: request.admin.artisanId, publicCode: request.params.publicCode, values: request.body.values, writerMemberId: request.admin.memberId }),
        ),
      }),
    );
    // Untyped reply: a Buffer is sent as is (the typed one expects the schema's string).
    root.get<{ Params: { publicCode: string } }>(
      '/bookings/:publicCode/report.pdf',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Télécharger le compte rendu en PDF',
          params: CodeParams,
          response: { 200: { description: 'Le PDF', type: 'string', format: 'binary' }, ...errorResponses(401, 404) },
        },
      },
      async (request, reply) => {
        const { pdf, fileName } = await deps.reports.pdf(request.admin.artisanId, request.params.publicCode);
        return reply.type('application/pdf').header('content-disposition', `attachment; filename="${fileName}"`).header('cache-control', 'private, no-store').send(pdf);
      },
    );
  };
}
