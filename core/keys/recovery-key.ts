import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { ErrorCode, VaultError } from '../../common/errors.js';
import { randomBytes } from '../crypto/bytes.js';

/**
 * The recovery key: a random 256-bit secret, shown to a person once as 24 words of BIP-39's English list
 * (BIP-39: 256 bits of entropy + an 8-bit SHA-256 checksum = 264 bits = 24 words of 11 bits), and typed
 * back when every other key slot is lost. The checksum catches a mistyped or swapped word before any key
 * is derived from it.
 *
 * The words are the secret. They exist as strings (which cannot be wiped) only for as long as it takes to
 * show or read them; never log them, and never put more than the one wrong word into an error.
 */
export const RECOVERY_KEY_BYTES = 32;
export const RECOVERY_KEY_WORDS = 24;

/** BIP-39 English words are 3 to 8 lower-case letters; anything else is not echoed back. */
const ECHOABLE = /^[a-z]{1,12}$/;
const WORDS = new Set(wordlist);

export function generateRecoveryKey(): Uint8Array {
  return randomBytes(RECOVERY_KEY_BYTES);
}

/** The 24 words of a recovery key, in order. */
export function recoveryKeyToWords(secret: Uint8Array): string[] {
  if (secret.length !== RECOVERY_KEY_BYTES) {
    throw new RangeError(`a recovery key is ${RECOVERY_KEY_BYTES} bytes, got ${secret.length}`);
  }
  return entropyToMnemonic(secret, wordlist).split(' ');
}

/**
 * Reads a recovery key typed or pasted by a person: any spacing, line breaks or commas between words, any
 * case. Throws VaultError BAD_INPUT saying what is wrong and where (the word count, the first word not in
 * the list and its position, or a checksum mismatch), never repeating the phrase itself.
 */
export function recoveryKeyFromWords(text: string): Uint8Array {
  const words = text
    .normalize('NFKD')
    .toLowerCase()
    .split(/[\s,]+/u)
    .filter((word) => word.length > 0);
  if (words.length !== RECOVERY_KEY_WORDS) {
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      `a recovery key is ${RECOVERY_KEY_WORDS} words; this has ${words.length}`,
    );
  }
  const unknown = words.flatMap((word, index) => (WORDS.has(word) ? [] : [{ word, position: index + 1 }]));
  const first = unknown[0];
  if (first !== undefined) {
    const shown = ECHOABLE.test(first.word) ? `'${first.word}'` : `(${[...first.word].length} characters)`;
    const others = unknown.length - 1;
    const more = others === 0 ? '' : `; ${others} other ${others === 1 ? 'word is' : 'words are'} not either`;
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      `word ${first.position} ${shown} is not in the word list${more}`,
    );
  }
  try {
    return mnemonicToEntropy(words.join(' '), wordlist);
  } catch {
    // Every word is in the list and there are 24 of them, so only BIP-39's checksum can have failed.
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      "the words' checksum does not match: a word is wrong or out of order",
    );
  }
}
