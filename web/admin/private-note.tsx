import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../shared/components/Alert';
import { errorOf, navigate } from './lib';

/**
 * The artisan's private note (on a booking or a customer): a text saved on demand. Never
 * shown to the customer: no page, message, .ics or export of theirs carries it.
 */
export function PrivateNote({ id, title, initial, save }: { id: string; title: string; initial: string | null; save: (note: string | null) => Promise<string | null> }) {
  const [text, setText] = useState(initial ?? '');
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => setText(initial ?? ''), [initial]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setNotice(undefined);
    setError(undefined);
    try {
      const saved = await save(text.trim() ? text : null);
      setText(saved ?? '');
      setNotice(saved ? 'Note enregistrée.' : 'Note effacée.');
    } catch (err) {
      setError(errorOf(err).message);
    }
  };
  return (
    <section class="card note-box" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{title}</h2>
      <form onSubmit={submit}>
        <label for={id}>Note privée (jamais montrée au client)</label>
        <textarea id={id} value={text} maxLength={4000} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        <div class="actions">
          <button type="submit" class="secondary">
            Enregistrer la note
          </button>
        </div>
      </form>
      {notice && <Alert kind="ok" text={notice} focus={false} />}
      {error && <Alert kind="err" text={error} focus={false} />}
    </section>
  );
}

/** The address of a customer's file: their e-mail and/or phone. */
export function customerFileHref(customer: { email?: string | null; phone?: string | null }): string {
  const q = new URLSearchParams();
  if (customer.email) q.set('email', customer.email);
  if (customer.phone) q.set('phone', customer.phone);
  return `/admin/client?${q.toString()}`;
}

/** A link inside the back office that navigates without reloading (a real link for a new tab). */
export function InternalLink({ href, children }: { href: string; children: preact.ComponentChildren }) {
  return (
    <a
      href={href}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
