import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { call, errorOf, type Session } from '../lib';

/** The snippet that embeds the booking page on the artisan's own site. */
export function EmbedScreen({ session }: { session: Session }) {
  // The snippet is built by the server from PUBLIC_BASE_URL (one source with the README's).
  const [embed, setEmbed] = useState<ResponseOf<'/api/admin/embed', 'get'>>();
  const [error, setError] = useState('');
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    call(session.api.GET('/api/admin/embed')).then(setEmbed, (e) => setError(errorOf(e).message));
  }, [session]);
  return (
    <>
      <h1>Intégrer la page de réservation</h1>
      <p>
        Collez ce code dans une page de votre site : la page de réservation s’y affiche et prend la hauteur de son contenu.
        {embed && embed.allowedOrigins.length > 0
          ? ` Sites autorisés à l’afficher : ${embed.allowedOrigins.join(', ')}.`
          : ' Aucun site n’est encore autorisé à l’afficher : donnez l’adresse de votre site à la personne qui gère le service pour qu’elle l’autorise.'}
      </p>
      {error && <Alert kind="err" text={error} />}
      {embed && (
        <>
          <label for="embed-code">Code à copier</label>
          <textarea id="embed-code" readOnly rows={4} class="snippet" value={embed.snippet} />
          <div class="actions">
            <button
              type="button"
              onClick={async () => {
                await navigator.clipboard?.writeText(embed.snippet).catch(() => undefined);
                setCopied(true);
              }}
            >
              Copier le code
            </button>
          </div>
        </>
      )}
      {copied && <Alert kind="ok" text="Code copié." />}
    </>
  );
}
