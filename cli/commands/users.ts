import type { Command } from 'commander';
import type { UserRecord } from '../../core/access/user-store.js';
import { withCommonOptions, type CommandContext, type CommonOptions } from '../context.js';
import { table } from '../format.js';
import { newMaster, printRecoveryKey, withNewMasterOptions, type NewMasterOptions } from '../new-master.js';
import { nonEmpty } from '../parse-flags.js';
import { TOTP_ENV } from '../totp-prompt.js';
import type { Runner } from '../runner.js';
import { withSession } from '../unlock.js';

type AddOptions = NewMasterOptions & { role: string[] };

/** Collects a repeated flag (`--role a --role b`) into a list. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), nonEmpty(value)];
}

/** A user as `users add|disable|enable|…` report it: dates as ISO 8601. */
function userDocument(user: UserRecord): Record<string, unknown> {
  return {
    name: user.name,
    roles: user.roles,
    disabled: user.disabledAt !== null,
    createdAt: new Date(user.createdAt).toISOString(),
    ...(user.disabledAt === null ? {} : { disabledAt: new Date(user.disabledAt).toISOString() }),
  };
}

function rolesText(roles: readonly string[]): string {
  return roles.length === 0 ? '(none)' : roles.join(', ');
}

/** `vault-manager users …`: who may open this vault, with which roles and second factor. */
export function registerUsers(program: Command, runner: Runner): void {
  const users = program.command('users').description('the people who may open this vault, and their roles');

  withCommonOptions(users.command('list').description('list users, their roles, key slots and MFA')).action(
    (options: CommonOptions) =>
      runner.run(options, (context) =>
        withSession(context, (session) => {
          const list = session.admin.listUsers();
          const { output } = context;
          output.result({ users: list }, () => {
            for (const line of table([
              ['NAME', 'ROLES', 'STATUS', 'SLOTS', 'MFA', 'CREATED'],
              ...list.map((u) => [
                u.name,
                rolesText(u.roles),
                u.disabled ? 'disabled' : 'enabled',
                String(u.slots),
                u.mfaEnrolled ? 'totp' : '-',
                u.createdAt,
              ]),
            ]))
              output.print(line);
          });
        }),
      ),
  );

  withCommonOptions(
    withNewMasterOptions(
      users
        .command('add')
        .description('add a user with their roles and their own first key slot (their passphrase or token)')
        .argument('<name>', 'the new user name', nonEmpty)
        .requiredOption('--role <role>', 'a role to give the user (repeat for several)', collect),
    ),
  ).action((name: string, options: AddOptions) =>
    runner.run(options, (context) => {
      const master = newMaster(context, options);
      return withSession(context, async (session) => {
        const { provider, words } = await master();
        const user = await session.admin.addUser(name, options.role, provider);
        const added = { ...userDocument(user), slot: { kind: provider.kind, label: provider.label } };
        const headline = `Added user ${user.name} (roles: ${rolesText(user.roles)}) with a ${provider.kind} key slot.`;
        if (words === undefined) {
          context.output.result(added, () => {
            context.output.print(headline);
            context.output.print(`They unlock with: vault-manager <command> --as ${user.name}`);
          });
          return;
        }
        // Shown this once and never stored: whoever holds these words opens the vault as this user.
        context.output.result({ ...added, recoveryKey: words }, () =>
          printRecoveryKey(context.output, headline, words),
        );
      });
    }),
  );

  const report = (context: CommandContext, user: UserRecord, text: string) =>
    context.output.result(userDocument(user), () => context.output.print(text));

  const onUser = (command: string, description: string) =>
    users.command(command).description(description).argument('<name>', 'the user', nonEmpty);

  withCommonOptions(
    onUser('disable', 'stop a user from opening sessions (their key slots stay; `users enable` undoes it)'),
  ).action((name: string, options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const user = session.admin.disableUser(name);
        report(context, user, `Disabled user ${user.name}: their key slots no longer open a session.`);
      }),
    ),
  );

  withCommonOptions(onUser('enable', 'let a disabled user open sessions again')).action(
    (name: string, options: CommonOptions) =>
      runner.run(options, (context) =>
        withSession(context, (session) => {
          const user = session.admin.enableUser(name);
          report(context, user, `Enabled user ${user.name}.`);
        }),
      ),
  );

  withCommonOptions(
    onUser('assign-role', 'give a user one more role').argument('<role>', 'the role to give', nonEmpty),
  ).action((name: string, role: string, options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const user = session.admin.assignRole(name, role);
        report(context, user, `User ${user.name} now holds: ${rolesText(user.roles)}.`);
      }),
    ),
  );

  withCommonOptions(
    onUser('remove-role', 'take a role away from a user').argument(
      '<role>',
      'the role to take away',
      nonEmpty,
    ),
  ).action((name: string, role: string, options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const user = session.admin.removeRole(name, role);
        report(context, user, `User ${user.name} now holds: ${rolesText(user.roles)}.`);
      }),
    ),
  );

  withCommonOptions(
    onUser('enroll-totp', 'give a user a new one-time-code (TOTP) secret, replacing any old one; shown once'),
  ).action((name: string, options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const { secret, uri } = session.admin.enrollTotp(name);
        const { output } = context;
        output.warn(
          `warning: the one-time-code secret of ${name} is shown this once and never again: ` +
            'add it to an authenticator app now, then clear it from the screen.',
        );
        output.result({ user: name, uri, secret }, () => {
          output.print(`Enrolled a one-time code (TOTP) for ${name}. Add it to an authenticator app:`);
          output.print('');
          output.print(`  ${uri}`);
          output.print('');
          output.print(`  secret: ${secret}`);
          output.print('');
          output.print(`Codes from the app go in $${TOTP_ENV}, or are typed when asked.`);
        });
      }),
    ),
  );
}

/** `vault-manager whoami`: whose session this is, their roles, and any break-glass window in force. */
export function registerWhoami(program: Command, runner: Runner): void {
  withCommonOptions(
    program
      .command('whoami')
      .description('show the user you unlock as, their roles and any break-glass window'),
  ).action((options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const me = session.whoami();
        const { output } = context;
        output.result(me, () => {
          output.print(`user:        ${me.user}`);
          output.print(`roles:       ${rolesText(me.roles)}`);
          output.print(`origin:      ${me.origin}`);
          output.print(`break-glass: ${me.breakGlassUntil === null ? '-' : `until ${me.breakGlassUntil}`}`);
        });
      }),
    ),
  );
}
