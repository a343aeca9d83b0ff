import { useEffect, useRef, useState } from 'preact/hooks';
import type { ResponseOf } from '../shared/api/client';
import { longDate } from '../shared/format';
import { phoneForReading } from '../shared/wording';
import { call, type Session } from './lib';

export type KnownCustomer = ResponseOf<'/api/admin/customers', 'get'>['customers'][number];

const DEBOUNCE_MS = 250;

/**
 * "Client déjà venu ?": a combobox (WAI-ARIA 1.2, list autocomplete) over the artisan's past
 * customers, by name, e-mail or phone in any common format ("06 11 22 33 44"). Asks the server
 * once typing pauses; arrows move in the list, Enter chooses, Escape closes.
 */
export function CustomerLookup({ session, onChoose }: { session: Session; onChoose: (c: KnownCustomer) => void }) {
  const [text, setText] = useState('');
  const [found, setFound] = useState<KnownCustomer[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [status, setStatus] = useState('');
  const asked = useRef(0);
  /** The name a choice wrote in the box: not a new search. */
  const chosen = useRef<string | undefined>(undefined);
  useEffect(() => {
    const q = text.trim();
    if (text === chosen.current) return;
    if (q.length < 2) {
      setFound([]);
      setOpen(false);
      setStatus('');
      return;
    }
    const ticket = ++asked.current;
    const timer = setTimeout(() => {
      call(session.api.GET('/api/admin/customers', { params: { query: { q } } })).then(
        (r) => {
          if (ticket !== asked.current) return; // a later keystroke asked again
          setFound(r.customers);
          setOpen(true);
          setActive(-1);
          setStatus(r.customers.length === 0 ? 'Aucun client trouvé.' : `${r.customers.length} client${r.customers.length > 1 ? 's' : ''} trouvé${r.customers.length > 1 ? 's' : ''}.`);
        },
        () => setStatus('La recherche n’a pas abouti.'),
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const choose = (c: KnownCustomer) => {
    onChoose(c);
    setOpen(false);
    asked.current++;
    chosen.current = c.name;
    setText(c.name);
    setStatus(`${c.name} choisi : ses coordonnées sont reprises ci-dessous.`);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' && found.length > 0) {
      e.preventDefault();
      setOpen(true);
      setActive((active + 1) % found.length);
    } else if (e.key === 'ArrowUp' && found.length > 0) {
      e.preventDefault();
      setOpen(true);
      setActive(active <= 0 ? found.length - 1 : active - 1);
    } else if (e.key === 'Enter' && open && active >= 0) {
      e.preventDefault();
      choose(found[active]!);
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      setOpen(false);
    }
  };
  const expanded = open && found.length > 0;
  return (
    <div class="lookup">
      <label for="pb-lookup">Client déjà venu ? Nom ou téléphone</label>
      <input
        id="pb-lookup"
        type="text"
        role="combobox"
        autocomplete="off"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls="pb-lookup-list"
        aria-activedescendant={expanded && active >= 0 ? `pb-lookup-${active}` : undefined}
        aria-describedby="pb-lookup-hint"
        value={text}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
        onKeyDown={onKeyDown}
      />
      <p class="hint" id="pb-lookup-hint">
        Le numéro s’écrit comme vous voulez : 06 11 22 33 44, 0611223344, +33…
      </p>
      <ul id="pb-lookup-list" role="listbox" aria-label="Clients trouvés" class="lookup-list" hidden={!expanded}>
        {found.map((c, i) => (
          <li
            key={`${c.email ?? ''}|${c.phone ?? ''}`}
            id={`pb-lookup-${i}`}
            role="option"
            aria-selected={i === active}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(c)}
          >
            <strong>{c.name}</strong>
            {c.phone ? ` — ${phoneForReading(c.phone)}` : ''}
            {c.email ? ` — ${c.email}` : ''}
            <br />
            <span class="hint">
              {c.visits} rendez-vous, le dernier le {longDate(c.lastVisitDate)}
              {c.address ? ` — ${c.address.city}` : ''}
            </span>
          </li>
        ))}
      </ul>
      <p role="status" class="visually-hidden">
        {status}
      </p>
    </div>
  );
}
