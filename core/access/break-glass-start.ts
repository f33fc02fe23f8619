import { ErrorCode, VaultError } from '../../common/errors.js';
import type { AlertLog } from '../alerts/alert-log.js';
import type { BreakGlassGrants } from './break-glass.js';
import type { Gate } from './gate.js';
import type { SecretSealer } from './secret-sealer.js';
import type { Session } from './session.js';

/** The shortest reason that says anything, and the longest kept. */
const REASON_MIN = 10;
const REASON_MAX = 1000;

export interface BreakGlassDeps {
  gate: Gate;
  session: Session;
  grants: BreakGlassGrants;
  alerts: AlertLog;
  sealer: () => SecretSealer;
  now: () => number;
  maxMinutes: () => number;
}

/**
 * Opens a break-glass window (HIPAA §164.312(a)(2)(ii)): for `minutes`, READ_TRACES, SEARCH_TRACES and
 * READ_PHI over every trace, with a reason sealed in the vault. The grant, its audit row (marked with it)
 * and a critical alert commit together; the alert is handed to listeners at once after.
 */
export function startBreakGlass(
  deps: BreakGlassDeps,
  reason: string,
  minutes: number,
): { id: number; endsAt: string } {
  const trimmed = reason.trim();
  const max = deps.maxMinutes();
  if (trimmed.length < REASON_MIN || trimmed.length > REASON_MAX) {
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      `a break-glass reason must be ${REASON_MIN}-${REASON_MAX} characters; say why access is needed`,
    );
  }
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > max) {
    throw new VaultError(ErrorCode.BAD_INPUT, `--minutes must be a whole number from 1 to ${max} (policy)`);
  }
  const { user } = deps.session;
  let raised: ReturnType<AlertLog['store']> | undefined;
  const grant = deps.gate.perform('breakGlass.start', { details: { minutes } }, () => {
    const sealer = deps.sealer();
    try {
      const now = deps.now();
      const started = deps.grants.start(
        user.id,
        now,
        minutes,
        sealer.seal('break-glass-reason', Buffer.from(trimmed, 'utf8')),
      );
      raised = deps.alerts.store(
        'break-glass',
        'critical',
        `${user.name} broke the glass for ${minutes} minutes`,
        { user: user.name, break_glass: started.id, ends_at: new Date(started.endsAt).toISOString() },
        now,
      );
      return { value: started, details: { alert: raised.id }, breakGlass: started.id };
    } finally {
      sealer.destroy();
    }
  });
  if (raised) deps.alerts.notify(raised);
  return { id: grant.id, endsAt: new Date(grant.endsAt).toISOString() };
}
