import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { RoleSchema, type Role, type Scope } from '../../common/access.js';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { CliError } from '../exit-codes.js';
import { table } from '../format.js';
import { nonEmpty } from '../parse-flags.js';
import type { Runner } from '../runner.js';
import { withSession } from '../unlock.js';

function scopeText(scope: Scope): string {
  return scope === 'all'
    ? 'all'
    : Object.entries(scope)
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(',');
}

function scopesText(scopes: readonly Scope[]): string {
  return scopes.map(scopeText).join(' | ');
}

function roleLines(role: Role): string[] {
  return [
    `name:        ${role.name}`,
    `description: ${role.description === '' ? '-' : role.description}`,
    `permissions: ${role.permissions.join(', ')}`,
    `scopes:      ${scopesText(role.scopes)}`,
  ];
}

/**
 * Reads and checks a role file before any vault is opened, so a mistake costs no passphrase and the
 * message names the file and the field.
 */
function readRoleFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = RoleSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(role)'}: ${issue.message}`,
    );
    throw new CliError(`${path}: not a valid role: ${issues.join('; ')}`);
  }
  return json;
}

/** `vault-manager roles …`: what each role permits, and over which traces. */
export function registerRoles(program: Command, runner: Runner): void {
  const roles = program.command('roles').description('the roles users can hold: permissions and scopes');

  withCommonOptions(roles.command('list').description('list the built-in and defined roles')).action(
    (options: CommonOptions) =>
      runner.run(options, (context) =>
        withSession(context, (session) => {
          const list = session.admin.listRoles();
          const { output } = context;
          output.result({ roles: list }, () => {
            for (const line of table([
              ['NAME', 'KIND', 'PERMISSIONS', 'SCOPES'],
              ...list.map((r) => [
                r.name,
                r.builtin ? 'built-in' : 'defined',
                r.permissions.join(','),
                scopesText(r.scopes),
              ]),
            ]))
              output.print(line);
          });
        }),
      ),
  );

  withCommonOptions(
    roles.command('show').description('show one role').argument('<name>', 'the role', nonEmpty),
  ).action((name: string, options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const role = session.admin.showRole(name);
        context.output.result(role, () => {
          for (const line of roleLines(role)) context.output.print(line);
        });
      }),
    ),
  );

  withCommonOptions(
    roles
      .command('define')
      .description('define a role, or replace one defined before, from a JSON file')
      .requiredOption('--file <role.json>', 'the role: {"name", "description", "permissions", "scopes"}')
      .addHelpText(
        'after',
        `
Example role file:
  {"name": "ward-7", "description": "Ward 7 agents", "permissions": ["READ_TRACES", "SEARCH_TRACES"],
   "scopes": [{"agent_id": "ward7-*"}]}
A scope is "all" or an object of agent_id, user_id ("self" is the session's user), subject_id, region.`,
      ),
  ).action((options: CommonOptions & { file: string }) =>
    runner.run(options, (context) => {
      const definition = readRoleFile(resolve(options.file));
      return withSession(context, (session) => {
        const role = session.admin.defineRole(definition);
        context.output.result(role, () => {
          context.output.print(`Defined role ${role.name}.`);
          for (const line of roleLines(role)) context.output.print(`  ${line}`);
        });
      });
    }),
  );
}
