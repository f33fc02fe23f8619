import { InvalidArgumentError } from 'commander';

/**
 * Flag value parsers for commander. Throwing InvalidArgumentError makes commander report the flag by name
 * and exit with the usage status (2), before any vault is opened or passphrase asked for.
 */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

/** An ISO 8601 date or date-time ("2026-03-01", "2026-03-01T08:00:00Z"); kept as written for the engine. */
export function isoTime(value: string): string {
  if (
    !/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new InvalidArgumentError(
      'expected an ISO 8601 date or date-time, e.g. 2026-03-01 or 2026-03-01T08:00:00Z.',
    );
  }
  return value;
}

/** A non-empty text value (an id, an agent name); an empty string would silently match nothing. */
export function nonEmpty(value: string): string {
  if (value.trim().length === 0) throw new InvalidArgumentError('expected a non-empty value.');
  return value;
}
