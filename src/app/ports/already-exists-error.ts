/** Raised by a store when a unique key (date of an exception, service id) is already used. */
export class AlreadyExistsError extends Error {
  constructor() {
    super('already exists');
    this.name = 'AlreadyExistsError';
  }
}
