import { ErrorCode, VaultError } from '../../common/errors.js';
import type { Trace } from '../../common/trace.js';
import { AadBindingError, recordAadEncoder } from '../crypto/aad.js';
import { AeadAuthenticationError, AeadParameterError, GCM_NONCE_BYTES, type Aead } from '../crypto/aead.js';
import { nodeAesGcm } from '../crypto/aead-node.js';
import { randomBytes, utf8, wipe } from '../crypto/bytes.js';
import type { Keyring } from '../keys/keyring.js';

/** Version of the plaintext layout inside a trace ciphertext (JSON of the validated trace). */
export const TRACE_FORMAT_VERSION = 1;
const TABLE = 'traces';

export interface SealedTrace {
  nonce: Uint8Array;
  body: Uint8Array;
  sizeBytes: number;
}

export interface TraceKeyBinding {
  id: string;
  keyRef: Uint8Array;
  keyVersion: number;
  formatVersion: number;
}

/** Encrypts and decrypts trace bodies: a data key per trace, AAD binding it to vault, table and row. */
export class TraceCipher {
  private readonly recordAad: ReturnType<typeof recordAadEncoder>;

  constructor(
    vaultId: string,
    private readonly keyring: Keyring,
    private readonly aead: Aead = nodeAesGcm,
  ) {
    this.recordAad = recordAadEncoder(vaultId, TABLE);
  }

  seal(trace: Trace, binding: TraceKeyBinding): SealedTrace {
    const plaintext = utf8(JSON.stringify(trace));
    const key = this.keyring.traceKey(binding.keyRef, binding.id, binding.keyVersion, true);
    const nonce = randomBytes(GCM_NONCE_BYTES);
    try {
      const body = this.aead.seal(key, nonce, plaintext, this.aad(binding));
      return { nonce, body, sizeBytes: plaintext.length };
    } finally {
      wipe(key, plaintext);
    }
  }

  open(nonce: Uint8Array, body: Uint8Array, binding: TraceKeyBinding): Trace {
    if (binding.formatVersion !== TRACE_FORMAT_VERSION) {
      throw new VaultError(
        ErrorCode.UNSUPPORTED_VERSION,
        `trace ${binding.id} has format version ${binding.formatVersion}, which this program cannot read`,
      );
    }
    if (nonce.length !== GCM_NONCE_BYTES) throw integrityError(binding.id);
    const key = this.keyring.traceKey(binding.keyRef, binding.id, binding.keyVersion, false);
    let plaintext: Uint8Array;
    try {
      plaintext = this.aead.open(key, nonce, body, this.aad(binding));
    } catch (error) {
      // A tag that fails, or a row whose nonce or versions were edited out of range: the same answer.
      if (
        error instanceof AeadAuthenticationError ||
        error instanceof AeadParameterError ||
        error instanceof AadBindingError
      ) {
        throw integrityError(binding.id);
      }
      throw error;
    } finally {
      wipe(key);
    }
    try {
      // The bytes are authenticated output of our own JSON.stringify, so UTF-8 validation would be wasted.
      return JSON.parse(
        Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.length).toString('utf8'),
      ) as Trace;
    } finally {
      wipe(plaintext);
    }
  }

  private aad(binding: TraceKeyBinding): Uint8Array {
    return this.recordAad(binding.id, binding.keyVersion, binding.formatVersion);
  }
}

function integrityError(id: string): VaultError {
  return new VaultError(
    ErrorCode.INTEGRITY,
    `trace ${id} failed its integrity check: its ciphertext was altered or moved from another row`,
  );
}
