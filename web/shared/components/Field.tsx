import type { ComponentChildren } from 'preact';

/** A labelled native input with its French error (from the server or the page) tied to it. */
export function Field(props: {
  id: string;
  label: string;
  value: string;
  onInput(value: string): void;
  error?: string | undefined;
  type?: 'text' | 'email' | 'tel';
  autoComplete?: string;
  required?: boolean;
  hint?: ComponentChildren;
  inputMode?: 'numeric' | 'text' | 'email' | 'tel';
  /** A text area (several lines), e.g. a description. */
  multiline?: boolean;
  maxLength?: number;
}) {
  const errorId = `${props.id}-error`;
  const hintId = `${props.id}-hint`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div>
      <label for={props.id}>
        {props.label}
        {props.required ? ' (obligatoire)' : ''}
      </label>
      {props.multiline ? (
        <textarea
          id={props.id}
          name={props.id}
          rows={4}
          value={props.value}
          maxLength={props.maxLength}
          onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)}
          aria-required={props.required ? 'true' : undefined}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={describedBy}
        />
      ) : (
        <input
          id={props.id}
          name={props.id}
          type={(props.type ?? 'text') as 'text'}
          value={props.value}
          maxLength={props.maxLength}
          onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
          autoComplete={props.autoComplete}
          inputMode={props.inputMode}
          aria-required={props.required ? 'true' : undefined}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={describedBy}
        />
      )}
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </div>
  );
}
