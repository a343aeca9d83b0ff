import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { euros, frenchTime, instantInZone, longDate } from '../../shared/format';
import { addressForReading, amountDueText, bookingStatusLabel, phoneForReading, smsHref, telHref } from '../../shared/wording';
import { call, errorOf, navigate, type Session } from '../lib';

type Day = ResponseOf<'/api/admin/today', 'get'>;
type DayBooking = Day['bookings'][number];
type Address = NonNullable<DayBooking['customer']['address']>;

/**
 * The maps link of an address: Google Maps' universal search URL, which every phone opens in
 * its maps app (Google Maps or, on an iPhone without it, the browser) and a desktop in the
 * browser; a `geo:` link opens nothing on iPhones or desktops.
 */
export const mapsHref = (a: Address): string =>
  `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(addressForReading(a))}`;

/** "9 h 30 – 10 h 30", in the artisan's zone. */
const timeRange = (b: DayBooking, zone: string): string =>
  `${frenchTime(b.time)} – ${frenchTime(instantInZone(Date.parse(b.endDateTime), zone).time)}`;

function Intervention({ b, zone, next }: { b: DayBooking; zone: string; next: boolean }) {
  const href = `/admin/reservations/${b.publicCode}`;
  const { phone, address } = b.customer;
  return (
    <article class={`intervention${next ? ' is-next' : ''}`} aria-labelledby={`i-${b.publicCode}`}>
      {next && <p class="next-tag">Prochaine intervention</p>}
      <h3 id={`i-${b.publicCode}`}>
        <span class="range">{timeRange(b, zone)}</span>{' '}
        <a
          href={href}
          onClick={(e) => {
            e.preventDefault();
            navigate(href);
          }}
        >
          {b.serviceName}
        </a>
        {address && <span class="city"> — {address.city}</span>}
      </h3>
      <p class="who-line">
        {b.customer.name}
        {b.status !== 'confirmed' && <span class="tag">{bookingStatusLabel(b.status)}</span>}
      </p>
      <ul class="plain reach">
        {address && (
          <li>
            <a href={mapsHref(address)} target="_blank" rel="noopener noreferrer">
              {addressForReading(address)}
              <span class="visually-hidden"> (ouvrir dans les cartes)</span>
            </a>
          </li>
        )}
        {phone && (
          <li class="phone-links">
            <a class="button secondary" href={telHref(phone)}>
              Appeler le {phoneForReading(phone)}
            </a>{' '}
            <a class="button secondary sms-link" href={smsHref(phone)}>
              SMS<span class="visually-hidden"> au {phoneForReading(phone)}</span>
            </a>
          </li>
        )}
      </ul>
      {b.problemDescription && (
        <p class="problem">
          <strong>Problème décrit :</strong> {b.problemDescription}
        </p>
      )}
      <p class={`due${b.amountDueCents > 0 ? ' to-collect' : ''}`}>
        {amountDueText(b.amountDueCents)}
        {b.amountDueCents > 0 && b.amountDueCents < b.priceCents && <span class="hint"> (prix {euros(b.priceCents)}, acompte déjà versé)</span>}
      </p>
    </article>
  );
}

/**
 * Today on the service's clock: each intervention with its address (maps link), the phone
 * (call and SMS), what is left to collect; the next one first, highlighted, then the rest of
 * the day, then what is over. Printed, it is the day sheet (admin.css, @media print).
 */
export function TodaySection({ session }: { session: Session }) {
  const [day, setDay] = useState<Day>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    call(session.api.GET('/api/admin/today')).then(setDay, (e) => setError(errorOf(e).message));
  }, []);
  const zone = session.me.timezone;
  if (!day) return error ? <Alert kind="err" text={error} /> : <p>Chargement de la journée…</p>;
  const now = Date.parse(day.now);
  const ahead = day.bookings.filter((b) => Date.parse(b.endDateTime) > now);
  const over = day.bookings.filter((b) => Date.parse(b.endDateTime) <= now);
  const total = day.bookings.reduce((sum, b) => sum + b.amountDueCents, 0);
  return (
    <section class="card today" aria-labelledby="today-h">
      <h2 id="today-h">Aujourd’hui, {longDate(day.date)}</h2>
      {day.bookings.length === 0 ? (
        <p>Aucune intervention aujourd’hui.</p>
      ) : (
        <>
          <p class="hint">
            {day.bookings.length} intervention{day.bookings.length > 1 ? 's' : ''}
            {total > 0 ? `, ${euros(total)} à encaisser sur place au total` : ''}.
          </p>
          {ahead.length === 0 && <p>Les interventions du jour sont terminées.</p>}
          <ol class="plain interventions">
            {ahead.map((b, i) => (
              <li key={b.publicCode}>
                <Intervention b={b} zone={zone} next={i === 0} />
              </li>
            ))}
          </ol>
          {over.length > 0 && (
            <>
              <h3 class="over-h">Déjà passées</h3>
              <ol class="plain interventions over">
                {over.map((b) => (
                  <li key={b.publicCode}>
                    <Intervention b={b} zone={zone} next={false} />
                  </li>
                ))}
              </ol>
            </>
          )}
        </>
      )}
    </section>
  );
}
