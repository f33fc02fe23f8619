/**
 * The one place scopes become SQL (for listings, searches and exports) and in-memory checks (for writes and
 * single targets). Both must agree on every trace: the glob matcher below follows SQLite's GLOB exactly, and
 * a property test holds it to SQLite's own.
 */
import type { Permission, Role, Scope, ScopeRule } from '../../common/access.js';
import { PERMISSIONS } from '../../common/access.js';
import type { SqlCondition } from '../store/trace-filter-sql.js';

export interface ScopeRefs {
  /** The session user's name: what `user_id: self` stands for. */
  self: string;
  /** The keyed HMAC stored in traces.user_ref for a user id. */
  userRef(value: string): Uint8Array;
  /** The keyed HMAC stored in traces.subject_ref for a subject id. */
  subjectRef(value: string): Uint8Array;
}

/** What traceInScope looks at: a trace's plaintext attributes. */
export interface ScopedTrace {
  agent_id: string;
  user_id: string;
  subject_id?: string | null | undefined;
  region?: string | null | undefined;
}

/**
 * A condition on `traces t` that holds for the traces inside the union of `scopes`. `all` anywhere means
 * no condition; no scopes at all means nothing.
 */
export function scopeToSql(scopes: readonly Scope[], refs: ScopeRefs): SqlCondition {
  if (scopes.includes('all')) return { where: [], params: [] };
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const scope of scopes) {
    if (scope === 'all') continue;
    const parts: string[] = [];
    if (scope.agent_id !== undefined) {
      parts.push('t.agent_id GLOB ?');
      params.push(scope.agent_id);
    }
    if (scope.region !== undefined) {
      parts.push('t.region GLOB ?');
      params.push(scope.region);
    }
    if (scope.user_id !== undefined) {
      parts.push('t.user_ref = ?');
      params.push(refs.userRef(scope.user_id === 'self' ? refs.self : scope.user_id));
    }
    if (scope.subject_id !== undefined) {
      parts.push('t.subject_ref = ?');
      params.push(refs.subjectRef(scope.subject_id));
    }
    // ScopeRuleSchema refuses a rule that names nothing; should one get here, it matches nothing.
    clauses.push(parts.length === 0 ? '0' : `(${parts.join(' AND ')})`);
  }
  if (clauses.length === 0) return { where: ['0'], params: [] };
  return { where: [`(${clauses.join(' OR ')})`], params };
}

/** Whether a trace lies inside the union of `scopes`, for the session user `self`. Agrees with scopeToSql. */
export function traceInScope(trace: ScopedTrace, scopes: readonly Scope[], self: string): boolean {
  return scopes.some((scope) => scope === 'all' || ruleMatches(scope, trace, self));
}

function ruleMatches(rule: ScopeRule, trace: ScopedTrace, self: string): boolean {
  if (Object.keys(rule).every((key) => rule[key as keyof ScopeRule] === undefined)) return false;
  if (rule.agent_id !== undefined && !sqliteGlob(rule.agent_id, trace.agent_id)) return false;
  if (rule.region !== undefined && (trace.region == null || !sqliteGlob(rule.region, trace.region)))
    return false;
  if (rule.user_id !== undefined) {
    const wanted = rule.user_id === 'self' ? self : rule.user_id;
    if (!sameIdentity(wanted, trace.user_id)) return false;
  }
  if (rule.subject_id !== undefined) {
    if (trace.subject_id == null || !sameIdentity(rule.subject_id, trace.subject_id)) return false;
  }
  return true;
}

/**
 * SQL compares HMACs of the UTF-8 encoding, where a lone surrogate becomes U+FFFD; compare the same way.
 */
function sameIdentity(a: string, b: string): boolean {
  return a === b || wellFormed(a) === wellFormed(b);
}

function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/**
 * `text GLOB pattern` as SQLite computes it (func.c patternCompare) for patterns without brackets: `*`
 * matches any run of characters, `?` exactly one, everything else itself, case-sensitively. Characters are
 * Unicode code points as SQLite reads them from UTF-8 (sqlite3Utf8Read): a lone surrogate, U+FFFE and U+FFFF
 * read as U+FFFD, and a NUL ends the string.
 */
export function sqliteGlob(pattern: string, text: string): boolean {
  const p = sqliteChars(pattern);
  const s = sqliteChars(text);
  // Greedy match with one backtrack point (the last `*`): linear in practice, and exact for `*` and `?`.
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    const pc = p[pi];
    if (pc === STAR) {
      starP = pi++;
      starS = si;
    } else if (pc !== undefined && (pc === QUESTION || pc === s[si])) {
      pi++;
      si++;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (p[pi] === STAR) pi++;
  return pi === p.length;
}

const STAR = 0x2a;
const QUESTION = 0x3f;

function sqliteChars(text: string): number[] {
  const out: number[] = [];
  for (const char of text) {
    let c = char.codePointAt(0)!;
    if (c === 0) break;
    if ((c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) c = 0xfffd;
    out.push(c);
  }
  return out;
}

/**
 * The scopes over which `roles` grant `permission`: the union of the scopes of every role that grants it
 * (ALL grants every permission). Undefined when no role grants it.
 */
export function scopesFor(roles: readonly Role[], permission: Permission): Scope[] | undefined {
  let granted = false;
  const scopes: Scope[] = [];
  const seen = new Set<string>();
  for (const role of roles) {
    if (!role.permissions.includes(permission) && !role.permissions.includes('ALL')) continue;
    granted = true;
    for (const scope of role.scopes) {
      if (scope === 'all') return ['all'];
      const key = JSON.stringify(scope, Object.keys(scope).sort());
      if (!seen.has(key)) {
        seen.add(key);
        scopes.push(scope);
      }
    }
  }
  return granted ? scopes : undefined;
}

/** Every permission `roles` grant, each with the union of its scopes (see scopesFor). */
export function effectiveGrants(roles: readonly Role[]): Map<Permission, Scope[]> {
  const grants = new Map<Permission, Scope[]>();
  for (const permission of PERMISSIONS) {
    const scopes = scopesFor(roles, permission);
    if (scopes !== undefined) grants.set(permission, scopes);
  }
  return grants;
}
