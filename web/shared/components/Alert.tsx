import { useEffect, useRef } from 'preact/hooks';

/**
 * A message the page shows after something happened: errors are announced as alerts,
 * successes as status; the message takes the focus (and scrolls into view on phones) so
 * keyboard and screen-reader users land on it.
 */
export function Alert({ text, kind, focus = true }: { text: string; kind: 'ok' | 'err'; focus?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!focus || !ref.current) return;
    ref.current.focus({ preventScroll: true });
    ref.current.scrollIntoView?.({ block: 'nearest' });
  }, [text, kind, focus]);
  return (
    <div ref={ref} class={`msg ${kind}`} role={kind === 'err' ? 'alert' : 'status'} tabIndex={-1}>
      {text}
    </div>
  );
}
