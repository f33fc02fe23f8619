import type { Command } from 'commander';
import { AccessPolicySchema, type AccessPolicy } from '../../common/access.js';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { usageError } from '../exit-codes.js';
import type { Runner } from '../runner.js';
import { withSession } from '../unlock.js';

const POLICY_KEYS = Object.keys(AccessPolicySchema.shape);

function policyLines(policy: AccessPolicy): string[] {
  const width = Math.max(...POLICY_KEYS.map((k) => k.length));
  return Object.entries(policy).map(([key, value]) => `${key.padEnd(width)}  ${JSON.stringify(value)}`);
}

/**
 * `key=value` pairs as changes: each key a policy setting, each value JSON (true, false, a number). Checked
 * before the vault is opened; the engine then checks the values against the policy's bounds.
 */
export function policyChanges(pairs: readonly string[]): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`expected key=value, got ${JSON.stringify(pair)}`);
    const key = pair.slice(0, eq).trim();
    const text = pair.slice(eq + 1).trim();
    if (!POLICY_KEYS.includes(key)) {
      throw usageError(`unknown policy setting ${JSON.stringify(key)}; known: ${POLICY_KEYS.join(', ')}`);
    }
    if (Object.hasOwn(changes, key)) throw usageError(`${key} is given twice`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw usageError(`the value of ${key} must be true, false or a number, got ${JSON.stringify(text)}`);
    }
    changes[key] = value;
  }
  return changes;
}

/** `vault-manager policy …`: the access policy this vault enforces. */
export function registerPolicy(program: Command, runner: Runner): void {
  const policy = program
    .command('policy')
    .description('the access policy: MFA, idle timeout, break-glass, audit');

  withCommonOptions(policy.command('show').description('show the access policy in force')).action(
    (options: CommonOptions) =>
      runner.run(options, (context) =>
        withSession(context, (session) => {
          const current = session.admin.showPolicy();
          context.output.result(current, () => {
            for (const line of policyLines(current)) context.output.print(line);
          });
        }),
      ),
  );

  withCommonOptions(
    policy
      .command('set')
      .description('change policy settings, e.g. `policy set idle_timeout_minutes=5 mfa_required=true`')
      .argument('<key=value...>', `settings to change: ${POLICY_KEYS.join(', ')}`)
      .addHelpText(
        'after',
        `
Values are JSON: true or false for mfa_required, whole numbers for the rest.
Turning mfa_required on needs a one-time code enrolled for you first (\`users enroll-totp\`).`,
      ),
  ).action((pairs: string[], options: CommonOptions) =>
    runner.run(options, (context) => {
      const changes = policyChanges(pairs);
      return withSession(context, (session) => {
        const updated = session.admin.setPolicy(changes, session.user);
        context.output.result(updated, () => {
          context.output.print(`Changed ${Object.keys(changes).join(', ')}. The policy in force:`);
          for (const line of policyLines(updated)) context.output.print(`  ${line}`);
        });
      });
    }),
  );
}
