import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import '../shared/styles.css';
import { call, createApiClient, errorOf, type Schemas } from '../shared/api/client';
import { Alert } from '../shared/components/Alert';
import { duration, euros } from '../shared/format';

type Service = { id: string; name: string; description?: string; durationMinutes: number; basePriceCents: number; depositCents: number };

const api = createApiClient();

function BookingPage() {
  const [services, setServices] = useState<Service[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    call(api.GET('/api/services')).then((r) => setServices(r.services), (e) => setError(errorOf(e).message));
  }, []);
  return (
    <>
      <header class="site">
        <div class="wrap">
          <h1>Prendre rendez-vous</h1>
        </div>
      </header>
      <main class="wrap">
        {error && <Alert kind="err" text={error} />}
        <h2>Choisissez une prestation</h2>
        {services === undefined && !error && <p>Chargement des prestations…</p>}
        <ul class="plain services">
          {services?.map((s) => (
            <li key={s.id}>
              <strong>{s.name}</strong> — {duration(s.durationMinutes)}, {euros(s.basePriceCents)}, acompte {euros(s.depositCents)}
            </li>
          ))}
        </ul>
      </main>
    </>
  );
}

export type { Schemas };
render(<BookingPage />, document.getElementById('app')!);
