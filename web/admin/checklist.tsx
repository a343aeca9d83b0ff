import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../shared/api/client';
import { call, navigate, type Session } from './lib';

export type Checklist = ResponseOf<'/api/admin/setup-checklist', 'get'>;
type Item = 'hours' | 'service' | 'payments';

/** Each item in the artisan's words, and the screen that does it. */
const ITEMS: [item: Item, todo: string, done: string, href: string][] = [
  ['hours', 'Indiquer vos horaires d’ouverture : pour l’instant, la page est fermée tous les jours', 'Horaires d’ouverture indiqués', '/admin/horaires'],
  ['service', 'Créer au moins une prestation active : sans elle, rien ne peut être réservé', 'Au moins une prestation active', '/admin/prestations'],
  ['payments', 'Choisir comment l’acompte est encaissé (ou proposer vos prestations sans acompte)', 'Encaissement de l’acompte choisi', '/admin/paiements'],
];

/**
 * What the booking page still lacks before it can take a booking, on the agenda until all is
 * done (the server decides each item: GET /api/admin/setup-checklist). Renders nothing once the
 * page is ready, or when the checklist cannot be read (a token without the settings right).
 */
export function SetupChecklist({ session }: { session: Session }) {
  const [list, setList] = useState<Checklist>();
  useEffect(() => {
    call(session.api.GET('/api/admin/setup-checklist')).then(setList, () => undefined);
  }, [session]);
  if (!list || list.ready) return null;
  const left = ITEMS.filter(([item]) => !list[item]).length;
  return (
    <section class="card checklist" aria-labelledby="checklist-h">
      <h2 id="checklist-h">Votre page ne peut pas encore prendre de rendez-vous</h2>
      <p class="hint">
        {left === 1 ? 'Il reste 1 étape' : `Il reste ${left} étapes`} avant que vos clients puissent réserver en ligne.
      </p>
      <ul class="plain">
        {ITEMS.map(([item, todo, done, href]) =>
          list[item] ? (
            <li key={item} class="done">
              <span aria-hidden="true">✓ </span>
              {done}
              <span class="visually-hidden"> : fait</span>
            </li>
          ) : (
            <li key={item}>
              <a
                href={href}
                onClick={(e) => {
                  if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                  e.preventDefault();
                  navigate(href);
                }}
              >
                {todo}
              </a>
            </li>
          ),
        )}
      </ul>
    </section>
  );
}
