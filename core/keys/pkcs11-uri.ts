/**
 * PKCS#11 URIs (RFC 7512) naming a token key: `pkcs11:token=Clinic%20A;object=vault-master;id=%01%02`.
 * Only what the vault stores and matches on is supported. A PIN never goes into a URI: the URI is kept in
 * the key slot's parameters, so `pin-value` is refused (RFC 7512 §2.3 lets a URI carry it; we do not).
 */
import { ErrorCode, VaultError } from '../../common/errors.js';

export type Pkcs11ObjectType = 'private' | 'public' | 'secret-key' | 'cert' | 'data';

export interface Pkcs11Uri {
  token?: string;
  manufacturer?: string;
  model?: string;
  serial?: string;
  /** CKA_LABEL. */
  object?: string;
  /** CKA_ID, raw bytes. */
  id?: Uint8Array;
  type?: Pkcs11ObjectType;
  /** The query's `module-path` (RFC 7512 §2.3): which library to load. */
  modulePath?: string;
}

const TEXT_ATTRIBUTES = ['token', 'manufacturer', 'model', 'serial', 'object'] as const;
const TYPES: readonly Pkcs11ObjectType[] = ['private', 'public', 'secret-key', 'cert', 'data'];
/** RFC 7512 §2.3: pk11-pchar = unreserved / pk11-res-avail / pct-encoded. */
const PATH_CHAR = /[A-Za-z0-9\-._~:[\]@!$'()*+,=&]/;
const QUERY_CHAR = /[A-Za-z0-9\-._~:[\]@!$'()*+,=/|]/;

function bad(message: string): VaultError {
  return new VaultError(ErrorCode.BAD_INPUT, `not a usable PKCS#11 URI: ${message}`);
}

/** Percent-decodes to bytes (RFC 3986 §2.1); a raw '%' not followed by two hex digits is an error. */
function decodeBytes(value: string): Uint8Array {
  const out: number[] = [];
  const raw = new TextEncoder().encode(value);
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!;
    if (byte !== 0x25) {
      out.push(byte);
      continue;
    }
    const hex = value.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw bad(`bad percent-encoding near "${value.slice(i, i + 3)}"`);
    out.push(parseInt(hex, 16));
    i += 2;
  }
  return Uint8Array.from(out);
}

function decodeText(value: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(decodeBytes(value));
  } catch (error) {
    if (error instanceof VaultError) throw error;
    throw bad('an attribute is not UTF-8');
  }
}

function encode(bytes: Uint8Array, allowed: RegExp): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && allowed.test(char) ? char : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`;
  }
  return out;
}

export function parsePkcs11Uri(text: string): Pkcs11Uri {
  if (!text.toLowerCase().startsWith('pkcs11:')) throw bad('it must start with "pkcs11:"');
  const body = text.slice('pkcs11:'.length);
  const mark = body.indexOf('?');
  const path = mark < 0 ? body : body.slice(0, mark);
  const query = mark < 0 ? undefined : body.slice(mark + 1);
  const uri: Pkcs11Uri = {};
  const seen = new Set<string>();
  for (const part of path === '' ? [] : path.split(';')) {
    const [name = '', value = ''] = splitOnce(part);
    // RFC 7512 §2.3: an attribute must not appear more than once in the path.
    if (seen.has(name)) throw bad(`"${name}" appears twice`);
    seen.add(name);
    if ((TEXT_ATTRIBUTES as readonly string[]).includes(name)) {
      uri[name as (typeof TEXT_ATTRIBUTES)[number]] = decodeText(value);
    } else if (name === 'id') {
      uri.id = decodeBytes(value);
    } else if (name === 'type') {
      const type = decodeText(value);
      if (!(TYPES as readonly string[]).includes(type)) throw bad(`unknown type "${type}"`);
      uri.type = type as Pkcs11ObjectType;
    } else if (!name.startsWith('x-') && !name.startsWith('library-') && !name.startsWith('slot-')) {
      throw bad(`unknown attribute "${name}"`);
    }
  }
  for (const part of query === undefined || query === '' ? [] : query.split('&')) {
    const [name = '', value = ''] = splitOnce(part);
    if (name === 'pin-value' || name === 'pin-source') {
      throw bad('a PIN must not be written in a key URI; it is asked for when the vault is unlocked');
    }
    if (name === 'module-path') uri.modulePath = decodeText(value);
    else if (name !== 'module-name' && !name.startsWith('x-')) throw bad(`unknown query attribute "${name}"`);
  }
  return uri;
}

export function formatPkcs11Uri(uri: Pkcs11Uri): string {
  const text = (value: string) => encode(new TextEncoder().encode(value), PATH_CHAR);
  const parts: string[] = [];
  for (const name of ['token', 'manufacturer', 'model', 'serial'] as const) {
    const value = uri[name];
    if (value !== undefined) parts.push(`${name}=${text(value)}`);
  }
  if (uri.object !== undefined) parts.push(`object=${text(uri.object)}`);
  if (uri.type !== undefined) parts.push(`type=${uri.type}`);
  // RFC 7512 §2.3 shows ids fully percent-encoded, byte by byte.
  if (uri.id !== undefined) parts.push(`id=${encode(uri.id, /(?!)/)}`);
  let out = `pkcs11:${parts.join(';')}`;
  if (uri.modulePath !== undefined) {
    out += `?module-path=${encode(new TextEncoder().encode(uri.modulePath), QUERY_CHAR)}`;
  }
  return out;
}

function splitOnce(part: string): [string, string] {
  const at = part.indexOf('=');
  if (at <= 0) throw bad(`"${part}" is not name=value`);
  return [part.slice(0, at), part.slice(at + 1)];
}
