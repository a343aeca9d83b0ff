import { useEffect, useRef, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { Field } from '../field';
import { atInZone, call, errorOf, useScreenAction, type Session } from '../lib';
import { problemText } from '../../shared/wording';

type Endpoint = ResponseOf<'/api/admin/webhook-endpoints', 'get'>['endpoints'][number];
type Delivery = ResponseOf<'/api/admin/webhook-endpoints/{id}/deliveries', 'get'>['deliveries'][number];
type EventType = Endpoint['eventTypes'][number];

/** The events an endpoint can subscribe to, in the artisan's words (the API's names beside them). */
const EVENT_LABEL: Record<EventType, string> = {
  'booking.created': 'Nouvelle réservation',
  'booking.confirmed': 'Réservation confirmée après vérification du paiement',
  'booking.rescheduled': 'Réservation déplacée',
  'booking.cancelled': 'Réservation annulée',
  'booking.reassigned': 'Réservation confiée à un autre technicien',
  'booking.completed': 'Intervention réalisée',
  'booking.no_show': 'Client absent',
  'payment.refunded': 'Acompte remboursé',
  'payment.disputed': 'Paiement contesté auprès de la banque',
  'message.failed': 'Message au client ou à vous non envoyé',
  'calendar.sync_failed': 'Calendrier connecté qui ne se synchronise plus',
};
const EVENT_TYPES = Object.keys(EVENT_LABEL) as EventType[];

const STATUS_LABEL: Record<Delivery['status'], string> = { pending: 'En attente', delivered: 'Remis', failed: 'Échec', cancelled: 'Abandonné' };

const eventLabel = (type: string): string => (type === 'webhook.test' ? 'Événement de test' : (EVENT_LABEL[type as EventType] ?? type));

/**
 * « Intégrations » (issue 21): the business's webhook endpoints (Zapier, Make, a CRM…), the
 * signing secret shown once on creation and rotation, each endpoint's deliveries with their
 * state, a replay, and a test event.
 */
export function IntegrationsScreen({ session }: { session: Session }) {
  const [endpoints, setEndpoints] = useState<Endpoint[]>([]);
  const [open, setOpenState] = useState<string>();
  // The reload after an action reads the endpoint shown now, not the one of the render that ran it.
  const shownRef = useRef<string | undefined>(undefined);
  const setOpen = (id: string | undefined) => {
    shownRef.current = id;
    setOpenState(id);
  };
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [secret, setSecret] = useState<{ label: string; value: string }>();
  const [f, setF] = useState<{ url: string; description: string; eventTypes: EventType[] }>({ url: '', description: '', eventTypes: ['booking.created', 'booking.rescheduled', 'booking.cancelled'] });
  const load = async () => {
    const shown = shownRef.current;
    setEndpoints((await call(session.api.GET('/api/admin/webhook-endpoints'))).endpoints);
    setDeliveries(shown ? (await call(session.api.GET('/api/admin/webhook-endpoints/{id}/deliveries', { params: { path: { id: shown }, query: { limit: 50 } } }))).deliveries : []);
  };
  const { error, setError, notice, run } = useScreenAction(() => load());
  useEffect(() => void load().catch((e) => setError(errorOf(e).message)), []);
  const at = (iso: string | null) => (iso ? atInZone(iso, session.me.timezone) : '—');
  const name = (e: Endpoint) => e.description || e.url;
  const path = (e: Endpoint) => ({ params: { path: { id: e.id } } });

  const showDeliveries = async (e: Endpoint) => {
    const next = open === e.id ? undefined : e.id;
    setOpen(next);
    await load().catch((err) => setError(errorOf(err).message));
  };
  const sendTest = (e: Endpoint) =>
    run(async () => {
      await call(session.api.POST('/api/admin/webhook-endpoints/{id}/test', path(e)));
      setOpen(e.id);
    }, `Événement de test envoyé à « ${name(e)} » : son envoi apparaît dans la liste ci-dessous.`);

  return (
    <>
      <h1>Intégrations</h1>
      <p class="hint">
        Prévenez vos autres outils (Zapier, Make, votre logiciel de gestion…) à chaque nouvelle réservation, annulation ou modification : le service envoie un message signé à l’adresse que vous
        indiquez, et le renvoie plusieurs fois si elle ne répond pas.
      </p>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      {secret && (
        <section class="card" aria-labelledby="wh-secret-title">
          <h2 id="wh-secret-title">Secret de signature de « {secret.label} »</h2>
          <p>Copiez-le maintenant dans votre outil : il ne sera plus affiché. Il sert à vérifier que les messages viennent bien de nous.</p>
          <label for="wh-secret">Secret</label>
          <input id="wh-secret" type="text" readOnly value={secret.value} class="snippet" />
          <div class="actions">
            <button type="button" class="secondary" onClick={() => setSecret(undefined)}>
              J’ai copié le secret
            </button>
          </div>
        </section>
      )}
      <h2>Adresses qui reçoivent vos événements</h2>
      {endpoints.length === 0 && <p>Aucune adresse pour l’instant.</p>}
      <ul class="plain">
        {endpoints.map((e) => (
          <li key={e.id} class="card">
            <h3>{name(e)}</h3>
            <p>{e.url}</p>
            <p>Événements : {e.eventTypes.map((t) => EVENT_LABEL[t]).join(', ')}</p>
            <p>
              {e.enabled ? 'Active' : 'Désactivée'}
              {e.disabledReason ? ` — ${e.disabledReason}` : ''}
              {e.previousSecretValidUntil ? ` — l’ancien secret signe encore jusqu’au ${at(e.previousSecretValidUntil)}` : ''}
            </p>
            <div class="actions">
              {e.enabled && (
                <button type="button" class="secondary" aria-label={`Envoyer un événement de test à « ${name(e)} »`} onClick={() => void sendTest(e)}>
                  Envoyer un événement de test
                </button>
              )}
              <button type="button" class="secondary" aria-expanded={open === e.id} aria-controls={`wh-deliveries-${e.id}`} onClick={() => void showDeliveries(e)}>
                {open === e.id ? 'Masquer les envois' : 'Voir les envois'}
              </button>
              <button
                type="button"
                class="secondary"
                aria-label={`Changer le secret de « ${name(e)} »`}
                onClick={() =>
                  void run(async () => {
                    const r = await call(session.api.POST('/api/admin/webhook-endpoints/{id}/rotate-secret', path(e)));
                    setSecret({ label: name(e), value: r.secret });
                  }, 'Nouveau secret créé : l’ancien reste valable 24 h, le temps de mettre votre outil à jour.')
                }
              >
                Changer le secret
              </button>
              <button
                type="button"
                class="secondary"
                aria-label={`${e.enabled ? 'Désactiver' : 'Réactiver'} « ${name(e)} »`}
                onClick={() =>
                  void run(
                    () => call(session.api.PATCH('/api/admin/webhook-endpoints/{id}', { ...path(e), body: { enabled: !e.enabled } })),
                    e.enabled ? `« ${name(e)} » est désactivée : plus rien ne lui est envoyé.` : `« ${name(e)} » est réactivée.`,
                  )
                }
              >
                {e.enabled ? 'Désactiver' : 'Réactiver'}
              </button>
              <button
                type="button"
                class="secondary"
                aria-label={`Supprimer « ${name(e)} »`}
                onClick={() => void run(() => call(session.api.DELETE('/api/admin/webhook-endpoints/{id}', path(e))), `« ${name(e)} » est supprimée.`)}
              >
                Supprimer
              </button>
            </div>
            {open === e.id && (
              <div id={`wh-deliveries-${e.id}`} class="table-wrap" tabIndex={0} role="region" aria-label={`Envois à « ${name(e)} »`}>
                {deliveries.length === 0 ? (
                  <p>Aucun envoi pour l’instant.</p>
                ) : (
                  <table class="list">
                    <caption class="visually-hidden">Derniers envois à « {name(e)} »</caption>
                    <thead>
                      <tr>
                        <th scope="col">Événement</th>
                        <th scope="col">Créé le</th>
                        <th scope="col">État</th>
                        <th scope="col">Réponse</th>
                        <th scope="col">Prochain essai</th>
                        <th scope="col">Action</th>
                      </tr>
                    </thead>
                    <tbody>
                      {deliveries.map((d) => (
                        <tr key={d.id}>
                          <td>{eventLabel(d.eventType)}</td>
                          <td>{at(d.createdAt)}</td>
                          <td>
                            {STATUS_LABEL[d.status]}
                            {d.attempts > 0 ? ` (${d.attempts} essai${d.attempts > 1 ? 's' : ''})` : ''}
                          </td>
                          <td>{d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : d.lastError ? problemText(d.lastError) : '—'}</td>
                          <td>{at(d.nextAttemptAt)}</td>
                          <td>
                            {e.enabled && (
                              <button
                                type="button"
                                class="secondary"
                                aria-label={`Renvoyer « ${eventLabel(d.eventType)} » du ${at(d.createdAt)}`}
                                onClick={() =>
                                  void run(
                                    () => call(session.api.POST('/api/admin/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: e.id, deliveryId: d.id } } })),
                                    'Envoi relancé : il part dans quelques secondes.',
                                  )
                                }
                              >
                                Renvoyer
                              </button>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
      <form
        class="card narrow"
        onSubmit={(ev) => {
          ev.preventDefault();
          void run(async () => {
            const r = await call(session.api.POST('/api/admin/webhook-endpoints', { body: { url: f.url, description: f.description, eventTypes: f.eventTypes } }));
            setSecret({ label: r.endpoint.description || r.endpoint.url, value: r.secret });
            setF({ ...f, url: '', description: '' });
          }, 'Adresse ajoutée.');
        }}
      >
        <h2>Ajouter une adresse</h2>
        <Field id="wh-url" label="Adresse (https://…)" type="url" value={f.url} onInput={(url) => setF({ ...f, url })} hint="Par exemple l’adresse « Catch Hook » donnée par Zapier ou Make." required />
        <Field id="wh-description" label="Nom (pour vous y retrouver)" value={f.description} onInput={(description) => setF({ ...f, description })} />
        <fieldset>
          <legend>Événements à envoyer</legend>
          {EVENT_TYPES.map((t) => (
            <label key={t} class="check">
              <input
                type="checkbox"
                checked={f.eventTypes.includes(t)}
                onChange={(ev) => setF({ ...f, eventTypes: (ev.target as HTMLInputElement).checked ? [...f.eventTypes, t] : f.eventTypes.filter((x) => x !== t) })}
              />
              {EVENT_LABEL[t]} <span class="hint">({t})</span>
            </label>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit">Ajouter l’adresse</button>
        </div>
      </form>
    </>
  );
}
