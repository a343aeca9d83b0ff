import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, type ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { Field } from '../field';
import { call, errorOf, type Session } from '../lib';

/** A stored E.164 number as a French reader writes it ("06 98 76 54 32"); abroad, international. */
const phoneForReader = (e164: string | null): string => {
  if (!e164) return '';
  const phone = parsePhoneNumberFromString(e164);
  if (!phone) return e164;
  return phone.country === 'FR' ? phone.formatNational() : phone.formatInternational();
};

type Profile = Pick<ResponseOf<'/api/admin/artisan', 'get'>['artisan'], 'displayName' | 'trade' | 'email' | 'phone'>;
const formOf = (p: Profile) => ({ displayName: p.displayName, trade: p.trade ?? '', email: p.email, phone: phoneForReader(p.phone) });

/**
 * What customers see of the business (name, trade, phone, contact e-mail), editable at any time
 * after the setup. The server checks and normalises (the phone stored E.164); its French errors
 * show under each field.
 */
export function ProfileForm({ session }: { session: Session }) {
  const [form, setForm] = useState<ReturnType<typeof formOf>>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    call(session.api.GET('/api/admin/artisan')).then((r) => setForm(formOf(r.artisan)), (e) => setError(errorOf(e).message));
  }, [session]);
  if (!form) return error ? <Alert kind="err" text={error} /> : <p>Chargement…</p>;
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    setErrors({});
    try {
      const body = { displayName: form.displayName, trade: form.trade.trim() || null, email: form.email.trim(), phone: form.phone.trim() || null };
      const saved = await call(session.api.PATCH('/api/admin/artisan', { body }));
      setForm(formOf(saved.artisan));
      setNotice('Profil enregistré : la page de réservation et les messages affichent ces informations.');
    } catch (err) {
      const api = errorOf(err);
      setError(api.message);
      setErrors(fieldErrors(api));
    }
  };
  return (
    <form class="card narrow" onSubmit={submit} noValidate>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <Field id="profile-name" label="Nom affiché aux clients" value={form.displayName} onInput={set('displayName')} error={errors.displayName} required />
      <Field id="profile-trade" label="Métier (facultatif)" value={form.trade} onInput={set('trade')} error={errors.trade} hint="Exemple : Plombier chauffagiste" />
      <Field id="profile-phone" label="Téléphone (facultatif)" type="tel" autocomplete="tel" value={form.phone} onInput={set('phone')} error={errors.phone} hint="Exemple : 06 12 34 56 78" />
      <Field id="profile-email" label="E-mail de contact" type="email" autocomplete="email" value={form.email} onInput={set('email')} error={errors.email} required />
      <div class="actions">
        <button type="submit">Enregistrer le profil</button>
      </div>
    </form>
  );
}

/**
 * The booking page to share: its address, a link to open it, and its QR code (drawn by the
 * server, GET /api/admin/booking-page/qr) to download for the van and the business cards.
 */
export function BookingPageCard({ session }: { session: Session }) {
  const [url, setUrl] = useState<string>();
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    call(session.api.GET('/api/admin/booking-page')).then((r) => setUrl(r.url), (e) => setError(errorOf(e).message));
  }, [session]);
  if (!url) return error ? <Alert kind="err" text={error} /> : null;
  return (
    <section class="card" aria-labelledby="page-h">
      <h2 id="page-h">Ma page de réservation</h2>
      <p>
        Adresse à partager : <code class="code">{url}</code>
      </p>
      <div class="actions">
        <a class="button" href={url} target="_blank" rel="noopener">
          Voir ma page<span class="visually-hidden"> (nouvel onglet)</span>
        </a>
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            await navigator.clipboard?.writeText(url).catch(() => undefined);
            setCopied(true);
          }}
        >
          Copier l’adresse
        </button>
      </div>
      {copied && <Alert kind="ok" text="Adresse copiée." focus={false} />}
      <img class="qr" src="/api/admin/booking-page/qr?format=svg" width={200} height={200} alt={`QR code de l’adresse ${url}`} />
      <p class="hint">À imprimer sur votre camion, vos cartes de visite ou vos devis : vos clients le scannent avec leur téléphone.</p>
      <div class="actions">
        <a class="button secondary" href="/api/admin/booking-page/qr?format=png" download="qr-page-de-reservation.png">
          Télécharger le QR code (PNG)
        </a>
        <a class="button secondary" href="/api/admin/booking-page/qr?format=svg" download="qr-page-de-reservation.svg">
          Télécharger le QR code (SVG, pour l’imprimeur)
        </a>
      </div>
    </section>
  );
}
