import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MEMBER_ROLES } from '../../../app/admin-auth.ts';
import type { Member, Members, Team } from '../../../app/members.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import type { MemberRouting, MemberRoutingView } from '../../../app/member-routing.ts';
import { CodeParams, Email, PRINTABLE, StringEnum, errorResponses } from '../schemas.ts';

const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const IdParams = Type.Object({ id: Uuid });
const Name = Type.String({ minLength: 1, maxLength: 80, pattern: PRINTABLE });
const Phone = Type.String({ minLength: 1, maxLength: 32, pattern: PRINTABLE });
const Role = StringEnum(MEMBER_ROLES, {
  description: 'owner : tout ; office : tous les agendas, réservations et réglages, sans la facturation ni le compte de paiement ni les jetons d’API ; technician : ses propres réservations',
});
const Priority = Type.Integer({ minimum: -1000, maximum: 1000, description: 'Priorité du membre (la plus haute d’abord : elle départage les techniciens libres à l’attribution)' });

const MemberDto = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String({ description: 'E-mail de connexion' }),
  phone: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  active: Type.Boolean({ description: 'false : désactivé (ne peut plus se connecter ; ses données restent)' }),
  priority: Type.Integer(),
  joined: Type.Boolean({ description: 'false : invité, n’a pas encore choisi son mot de passe' }),
  invitedAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  teamIds: Type.Array(Type.String()),
});
const TeamDto = Type.Object({ id: Type.String(), name: Type.String(), memberIds: Type.Array(Type.String()), createdAt: Type.String() });
const Invited = Type.Object({
  member: MemberDto,
  emailSent: Type.Boolean({ description: 'false : aucun serveur d’e-mail configuré (SMTP_URL) ou trop d’envois dans l’heure : l’invitation n’est pas partie' }),
});

const presentMember = (m: Member) => ({
  id: m.id, name: m.name, email: m.email, phone: m.phone, role: m.role, active: m.active, priority: m.priority, joined: m.joined,
  invitedAt: m.invitedMs === null ? null : new Date(m.invitedMs).toISOString(), createdAt: new Date(m.createdMs).toISOString(), teamIds: m.teamIds,
});
const presentTeam = (t: Team) => ({ id: t.id, name: t.name, memberIds: t.memberIds, createdAt: new Date(t.createdMs).toISOString() });

/**
 * The Business plan's members and teams (issue 20): list, invite, change, deactivate; teams;
 * giving a booking to a member or team. Reads need the `settings` scope; inviting and changing
 * members need the session of a person (owner or office: src/app/member-roles.ts).
 */
export function adminMemberRoutes(deps: { members: Members; routing: MemberRouting }): AdminRoutes {
  return async (root) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { members } = deps;

    app.get(
      '/members',
      { config: { adminAccess: 'settings' }, schema: { summary: "Membres de l'entreprise (responsables, bureau, techniciens)", response: { 200: Type.Object({ members: Type.Array(MemberDto) }), ...errorResponses(401) } } },
      async (request) => ({ members: (await members.list(request.admin.artisanId)).map(presentMember) }),
    );
    app.get(
      '/members/:id',
      { config: { adminAccess: 'settings' }, schema: { summary: 'Un membre', params: IdParams, response: { 200: Type.Object({ member: MemberDto }), ...errorResponses(400, 401, 404) } } },
      async (request) => ({ member: presentMember(await members.get(request.admin.artisanId, request.params.id)) }),
    );
    app.post(
      '/members',
      {
        config: { adminAccess: 'session' },
        schema: {
          summary: 'Inviter un membre par e-mail (offre Business)',
          description: "Le membre reçoit un lien à usage unique, valable 7 jours, pour choisir son mot de passe ; il se connecte ensuite à l'espace artisan. Starter et Pro : un seul membre (PLAN_LIMIT_REACHED).",
          body: Type.Object({ name: Name, email: Email, phone: Type.Optional(Type.Union([Phone, Type.Null()])), role: Role, priority: Type.Optional(Priority) }),
          response: { 201: Invited, ...errorResponses(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        const { member, emailSent } = await members.invite(request.admin, request.body);
        return reply.status(201).send({ member: presentMember(member), emailSent });
      },
    );
    app.post(
      '/members/:id/invitation',
      {
        config: { adminAccess: 'session' },
        schema: { summary: "Renvoyer l'invitation d'un membre qui n'a pas encore choisi son mot de passe", params: IdParams, response: { 202: Invited, ...errorResponses(400, 401, 403, 404, 409) } },
      },
      async (request, reply) => {
        const { member, emailSent } = await members.reinvite(request.admin, request.params.id);
        return reply.status(202).send({ member: presentMember(member), emailSent });
      },
    );
    app.patch(
      '/members/:id',
      {
        config: { adminAccess: 'session' },
        schema: {
          summary: 'Modifier un membre (nom, téléphone, rôle, priorité, actif)',
          params: IdParams,
          body: Type.Object({ name: Type.Optional(Name), phone: Type.Optional(Type.Union([Phone, Type.Null()])), role: Type.Optional(Role), priority: Type.Optional(Priority), active: Type.Optional(Type.Boolean()) }, { minProperties: 1 }),
          response: { 200: Type.Object({ member: MemberDto }), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ({ member: presentMember(await members.update(request.admin, request.params.id, request.body)) }),
    );
    app.delete(
      '/members/:id',
      {
        config: { adminAccess: 'session' },
        schema: {
          summary: 'Désactiver un membre (ses sessions prennent fin ; ses données, réservations et équipes restent)',
          params: IdParams,
          response: { 200: Type.Object({ member: MemberDto }), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ({ member: presentMember(await members.update(request.admin, request.params.id, { active: false })) }),
    );

    app.get(
      '/teams',
      { config: { adminAccess: 'settings' }, schema: { summary: 'Équipes (groupes nommés de membres)', response: { 200: Type.Object({ teams: Type.Array(TeamDto) }), ...errorResponses(401) } } },
      async (request) => ({ teams: (await members.listTeams(request.admin.artisanId)).map(presentTeam) }),
    );
    const TeamBody = Type.Object({ name: Name, memberIds: Type.Array(Uuid, { maxItems: 500, default: [] }) });
    app.post(
      '/teams',
      { config: { adminAccess: 'settings' }, schema: { summary: 'Créer une équipe', body: TeamBody, response: { 201: Type.Object({ team: TeamDto }), ...errorResponses(400, 401, 403, 404, 409) } } },
      async (request, reply) => reply.status(201).send({ team: presentTeam(await members.saveTeam(request.admin.artisanId, request.body)) }),
    );
    app.put(
      '/teams/:id',
      {
        config: { adminAccess: 'settings' },
        schema: { summary: 'Renommer une équipe, changer ses membres', params: IdParams, body: TeamBody, response: { 200: Type.Object({ team: TeamDto }), ...errorResponses(400, 401, 403, 404, 409) } },
      },
      async (request) => ({ team: presentTeam(await members.saveTeam(request.admin.artisanId, { ...request.body, id: request.params.id })) }),
    );
    app.delete(
      '/teams/:id',
      {
        config: { adminAccess: 'settings' },
        schema: { summary: 'Supprimer une équipe (ses réservations gardent leur technicien)', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
      },
      async (request, reply) => {
        await members.deleteTeam(request.admin.artisanId, request.params.id);
        return reply.status(204).send(null);
      },
    );

    const Zone = Type.Object({
      kind: StringEnum(['postcode', 'commune', 'departement'] as const, { description: 'postcode : code postal ; commune : code INSEE ; departement : code du département (2A, 2B, 971…)' }),
      code: Type.String({ minLength: 2, maxLength: 8, pattern: '^[0-9A-Za-z ]+$' }),
    });
    const RoutingDto = Type.Object({
      memberId: Type.String(),
      skills: Type.Array(Type.String(), { description: 'Les prestations (ids) que le membre réalise ; vide : toutes' }),
      zones: Type.Array(Zone, { description: 'Les zones couvertes ; vide : partout' }),
    });
    const presentRouting = (r: MemberRoutingView) => ({ memberId: r.memberId, skills: r.skills, zones: r.zones });
    app.get(
      '/members/:id/routing',
      {
        config: { adminAccess: 'settings' },
        schema: { summary: 'Compétences et zones d’un membre', params: IdParams, response: { 200: Type.Object({ routing: RoutingDto }), ...errorResponses(400, 401, 403, 404) } },
      },
      async (request) => ({ routing: presentRouting(await deps.routing.get(request.admin.artisanId, request.params.id)) }),
    );
    app.put(
      '/members/:id/routing',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Définir les compétences (prestations réalisées) et les zones (codes postaux, communes, départements) d’un technicien',
          description:
            'Remplace les deux listes. Les zones sont vérifiées sur la liste officielle des communes (INSEE, codes postaux de La Poste). Un technicien sans compétence réalise toutes les prestations ; sans zone, il couvre partout. Dès qu’un technicien a une zone, la page de réservation demande le code postal.',
          params: IdParams,
          body: Type.Object({ skills: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 200 }), zones: Type.Array(Zone, { maxItems: 2000 }) }),
          response: { 200: Type.Object({ routing: RoutingDto }), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => ({ routing: presentRouting(await deps.routing.set(request.admin.artisanId, request.params.id, request.body)) }),
    );

    app.put(
      '/calendars/:id/member',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Rattacher un calendrier connecté à un membre (null : à l’entreprise)',
          description: 'Les indisponibilités d’un calendrier rattaché à un technicien ne bloquent que lui ; celles d’un calendrier de l’entreprise bloquent tout le monde.',
          params: IdParams,
          body: Type.Object({ memberId: Type.Union([Uuid, Type.Null()]) }),
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await deps.routing.setCalendarMember(request.admin.artisanId, request.params.id, request.body.memberId);
        return reply.status(204).send(null);
      },
    );

    app.put(
      '/bookings/:publicCode/assignment',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Confier une réservation à un membre et/ou une équipe (null : personne)',
          params: CodeParams,
          body: Type.Object({ technicianId: Type.Union([Uuid, Type.Null()]), teamId: Type.Union([Uuid, Type.Null()]) }),
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await members.assign(request.admin.artisanId, request.params.publicCode, request.body);
        return reply.status(204).send(null);
      },
    );
  };
}
