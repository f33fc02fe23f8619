import { createECDH, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ErrorCode, VaultError } from '../../common/errors.js';
import { signP256Sha256, verifyP256Sha256 } from '../crypto/ecdsa-p256.js';
import { p256PointOf, p256PublicKeyFromPoint, P256_COORDINATE_BYTES } from '../crypto/p256-point.js';

/**
 * The device key (design.md §3): ECDSA P-256 that signs audit checkpoints and proves this device to the
 * control plane. On a token when the token can hold one; otherwise held here, its private scalar wrapped
 * under the current KEK like every vault key (so it rotates with them).
 */
export interface DeviceKey {
  readonly kind: 'token' | 'software';
  /** The public key as an uncompressed point, 04‖X‖Y: what the control plane enrols. */
  readonly publicPoint: Uint8Array;
  /** ECDSA P-256 over SHA-256 of `message`, as r‖s (IEEE P1363). */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Checks a device signature against a public point, as a verifier (an auditor, the control plane) does. */
export function verifyDeviceSignature(
  publicPoint: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  return verifyP256Sha256(p256PublicKeyFromPoint(publicPoint), message, signature);
}

/** A software device key: the private scalar lives only in memory while unlocked, and wrapped at rest. */
export class SoftwareDeviceKey implements DeviceKey {
  readonly kind = 'software';

  private constructor(
    private readonly privateKey: KeyObject,
    readonly publicPoint: Uint8Array,
  ) {}

  /** A new key pair; `scalar` is the 32-byte private value to store wrapped (the caller wipes it). */
  static generate(): { key: SoftwareDeviceKey; scalar: Uint8Array } {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = privateKey.export({ format: 'jwk' });
    if (jwk.d === undefined) throw new Error('node:crypto returned an EC key without its private value');
    const scalar = new Uint8Array(Buffer.from(jwk.d, 'base64url'));
    return { key: new SoftwareDeviceKey(privateKey, p256PointOf(privateKey)), scalar };
  }

  /** Rebuilds the key from its unwrapped scalar and stored public point, and checks that they match. */
  static fromScalar(scalar: Uint8Array, publicPoint: Uint8Array): SoftwareDeviceKey {
    if (scalar.length !== P256_COORDINATE_BYTES) {
      throw new VaultError(ErrorCode.INTEGRITY, 'the stored device key has the wrong length');
    }
    // The public point is recomputed from the scalar, not trusted from storage: an altered scalar or
    // point is caught here rather than by signatures that nobody can verify.
    let derived: Uint8Array;
    try {
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(scalar);
      derived = new Uint8Array(ecdh.getPublicKey());
    } catch (error) {
      throw new VaultError(ErrorCode.INTEGRITY, 'the stored device key is not a valid P-256 key', {
        cause: error,
      });
    }
    if (!Buffer.from(derived).equals(Buffer.from(publicPoint))) {
      throw new VaultError(ErrorCode.INTEGRITY, 'the stored device key does not match its public key');
    }
    const coordinate = (from: number) =>
      Buffer.from(derived.subarray(from, from + P256_COORDINATE_BYTES)).toString('base64url');
    const privateKey = createPrivateKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        d: Buffer.from(scalar).toString('base64url'),
        x: coordinate(1),
        y: coordinate(1 + P256_COORDINATE_BYTES),
      },
      format: 'jwk',
    });
    return new SoftwareDeviceKey(privateKey, derived);
  }

  sign(message: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(signP256Sha256(this.privateKey, message));
  }
}
