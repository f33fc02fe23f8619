/**
 * The one door to keytar, the OS keychain module (macOS Keychain, Windows Credential Vault, Secret
 * Service on Linux). keytar is an optional dependency that compiles from source (it needs
 * libsecret-1-dev on Linux), so it is loaded lazily on first use: a machine without it starts fine and
 * only a keychain operation fails, with a KeychainUnavailableError that says why.
 *
 * Values stored here are secrets. Never put one in an error message or a log.
 */

/** The keychain operations the engine uses, as keytar 7 types them. */
export interface Keychain {
  /**
   * The stored value, or null when there is none. On Linux a locked keyring, or one unlocked with the
   * wrong password, also gives null without any error: null means "not readable here", not "never set".
   */
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  /** True when an entry was deleted, false when there was none. */
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** The OS keychain cannot be used here: keytar is missing or broken, or no keychain service answers. */
export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';
}

export interface OsKeychainOptions {
  /**
   * The package that provides keytar's API. Defaults to 'keytar'; a maintained fork with the same API
   * (the upstream project was archived in 2022) can be named instead.
   */
  moduleName?: string;
}

/** keytar behind the Keychain interface; the module is imported on the first operation, once. */
export class OsKeychain implements Keychain {
  private readonly moduleName: string;
  private loading: Promise<Keychain> | undefined;

  constructor(options: OsKeychainOptions = {}) {
    this.moduleName = options.moduleName ?? 'keytar';
  }

  async getPassword(service: string, account: string): Promise<string | null> {
    const keytar = await this.load();
    return this.call('read an entry', () => keytar.getPassword(service, account));
  }

  async setPassword(service: string, account: string, password: string): Promise<void> {
    const keytar = await this.load();
    return this.call('store an entry', () => keytar.setPassword(service, account, password));
  }

  async deletePassword(service: string, account: string): Promise<boolean> {
    const keytar = await this.load();
    return this.call('delete an entry', () => keytar.deletePassword(service, account));
  }

  /** Imports keytar once. A failed import is not cached, so installing keytar does not need a restart. */
  private load(): Promise<Keychain> {
    this.loading ??= importKeytar(this.moduleName).catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  /** keytar rejects with the platform's message (for example no D-Bus session); it never names the value. */
  private async call<T>(doing: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new KeychainUnavailableError(
        `the OS keychain is not available: could not ${doing}: ${firstLine(error)}`,
        { cause: error },
      );
    }
  }
}

async function importKeytar(moduleName: string): Promise<Keychain> {
  let loaded: unknown;
  try {
    // A computed specifier, so TypeScript does not need keytar's types: the build must pass without it.
    loaded = await import(moduleName);
  } catch (error) {
    const reason = describeLoadFailure(error, moduleName);
    throw new KeychainUnavailableError(`the OS keychain is not available: ${reason}`, { cause: error });
  }
  // keytar is CommonJS: its functions are on the namespace's default export.
  const keytar = (loaded as { default?: unknown }).default ?? loaded;
  if (!isKeychain(keytar)) {
    throw new KeychainUnavailableError(
      `the OS keychain is not available: ${moduleName} does not export getPassword, setPassword and deletePassword`,
    );
  }
  return keytar;
}

function describeLoadFailure(error: unknown, moduleName: string): string {
  if ((error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND') {
    return `${moduleName} is not installed (it needs libsecret-1-dev to build)`;
  }
  // Anything else is a keytar that is installed but does not load (missing keytar.node, wrong ABI).
  return firstLine(error);
}

function isKeychain(value: unknown): value is Keychain {
  const candidate = value as Partial<Record<keyof Keychain, unknown>> | null;
  return (
    typeof candidate?.getPassword === 'function' &&
    typeof candidate.setPassword === 'function' &&
    typeof candidate.deletePassword === 'function'
  );
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]!.trim() || 'unknown error';
}
