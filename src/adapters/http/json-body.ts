import type { FastifyInstance } from 'fastify';
import { AppError, ValidationError } from '../../domain/errors.ts';

/** The charset parameter of a Content-Type header, lower-cased, without quotes. */
function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return match?.[2]?.toLowerCase();
}

/**
 * JSON bodies are decoded by their declared charset (UTF-8 when none is given, as RFC 8259
 * says): `charset=iso-8859-1` keeps "Hélène" intact. A charset the platform's TextDecoder does
 * not know gets 415; bytes that are not valid in the declared charset get 400 on `body`,
 * rather than being stored with replacement characters. Parsing itself is Fastify's own JSON
 * parser (prototype-poisoning protection included).
 */
export function registerJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(charset ?? 'utf-8', { fatal: true });
    } catch {
      done(new AppError('UNSUPPORTED_MEDIA_TYPE', `Le jeu de caractères « ${charset} » n'est pas pris en charge : envoyez le JSON en UTF-8.`), undefined);
      return;
    }
    let text: string;
    try {
      text = decoder.decode(body as Buffer);
    } catch {
      done(new ValidationError([{ field: 'body', message: `Le corps de la requête n'est pas un texte ${charset ?? 'utf-8'} valide.` }]), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
