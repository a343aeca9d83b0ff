import { telHref } from '../shared/wording';

/** What a suspended business's booking page shows instead of the form: no online booking, its phone. */
export function SuspendedNotice({ artisan }: { artisan: { displayName: string; trade: string | null; phone: string | null; phoneText: string | null } }) {
  return (
    <>
      <header class="site">
        <div class="wrap">
          <h1>{artisan.displayName}</h1>
          {artisan.trade && <p>{artisan.trade}</p>}
        </div>
      </header>
      <main class="wrap">
        <p class="msg err" role="status">
          Ce professionnel ne prend pas de réservation en ligne pour le moment.
        </p>
        {artisan.phone && (
          <p>
            Pour prendre rendez-vous, appelez-le au <a href={telHref(artisan.phone)}>{artisan.phoneText ?? artisan.phone}</a>.
          </p>
        )}
      </main>
    </>
  );
}
