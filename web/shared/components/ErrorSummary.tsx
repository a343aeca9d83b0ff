import { focusAndReveal } from '../reveal';

/** One problem of a form: its message and, when it belongs to a field, that field's id and label. */
export interface FormProblem {
  message: string;
  fieldId?: string;
  label?: string;
}

/**
 * Every problem of a form at once, at its top, each a link to its field (the GOV.UK pattern):
 * announced as an alert, while the page moves the focus to the first invalid field.
 */
export function ErrorSummary({ problems, id = 'error-summary' }: { problems: FormProblem[]; id?: string }) {
  if (problems.length === 0) return null;
  const titleId = `${id}-title`;
  return (
    <div id={id} class="error-summary" role="alert" aria-labelledby={titleId}>
      <p id={titleId}>
        <strong>Certains champs sont à corriger.</strong>
      </p>
      <ul>
        {problems.map((p) => (
          <li key={`${p.fieldId ?? ''}${p.message}`}>
            {p.fieldId ? (
              <a
                href={`#${p.fieldId}`}
                onClick={(e) => {
                  e.preventDefault();
                  focusAndReveal(document.getElementById(p.fieldId!));
                }}
              >
                {p.label ? `${p.label} : ${p.message}` : p.message}
              </a>
            ) : (
              p.message
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
