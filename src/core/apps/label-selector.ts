import { DomainError } from '../errors';

/**
 * Marathon's label selector (`GET /v2/apps?label=...`, reference §1.2). Terms are AND-ed with
 * commas; characters outside `[-A-Za-z0-9_.]` must be escaped with a backslash.
 *
 *   parseLabelSelector('env==prod, tier notin (a,b), canary')
 *   → [{key:'env', op:'==', values:['prod']}, {key:'tier', op:'notin', values:['a','b']}, {key:'canary', op:'exists', values:[]}]
 *
 * Every term requires the label to exist (as in Marathon): `tier!=web` does not match an app
 * without a `tier` label.
 */
export type LabelSelectorOp = 'exists' | '==' | '!=' | 'in' | 'notin';
export interface LabelSelectorTerm {
  readonly key: string;
  readonly op: LabelSelectorOp;
  readonly values: readonly string[];
}
export type LabelSelector = readonly LabelSelectorTerm[];

type Token = { kind: 'word'; text: string; escaped: boolean } | { kind: '==' | '!=' | '(' | ')' | ',' };

const WORD_CHAR = /[-A-Za-z0-9_.]/;

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === ' ' || ch === '\t') { i += 1; continue; }
    if (ch === '=' && s[i + 1] === '=') { out.push({ kind: '==' }); i += 2; continue; }
    if (ch === '!' && s[i + 1] === '=') { out.push({ kind: '!=' }); i += 2; continue; }
    if (ch === '(' || ch === ')' || ch === ',') { out.push({ kind: ch }); i += 1; continue; }
    if (ch === '\\' || WORD_CHAR.test(ch)) {
      let text = '';
      let escaped = false;
      while (i < s.length) {
        const c = s[i];
        if (c === '\\') {
          if (i + 1 >= s.length) throw bad(s, 'dangling escape character at the end');
          text += s[i + 1];
          escaped = true;
          i += 2;
        } else if (WORD_CHAR.test(c)) {
          text += c;
          i += 1;
        } else break;
      }
      out.push({ kind: 'word', text, escaped });
      continue;
    }
    throw bad(s, `unexpected character '${ch}' at position ${i} (escape it with a backslash)`);
  }
  return out;
}

function bad(s: string, why: string): DomainError {
  return DomainError.badRequest(`Invalid label selector '${s}': ${why}`);
}

export function parseLabelSelector(s: string): LabelSelector {
  const tokens = tokenize(s);
  if (tokens.length === 0) throw bad(s, 'empty selector');
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const word = (what: string): string => {
    const t = tokens[pos];
    if (t === undefined || t.kind !== 'word') throw bad(s, `expected ${what}`);
    pos += 1;
    return t.text;
  };
  const expect = (kind: Token['kind']): void => {
    const t = tokens[pos];
    if (t === undefined || t.kind !== kind) throw bad(s, `expected '${kind}'`);
    pos += 1;
  };
  const terms: LabelSelectorTerm[] = [];
  for (;;) {
    const key = word('a label name');
    const t = peek();
    if (t === undefined || t.kind === ',') terms.push({ key, op: 'exists', values: [] });
    else if (t.kind === '==' || t.kind === '!=') {
      pos += 1;
      terms.push({ key, op: t.kind, values: [word('a value')] });
    } else if (t.kind === 'word' && !t.escaped && (t.text === 'in' || t.text === 'notin')) {
      pos += 1;
      expect('(');
      const values = [word('a value')];
      while (peek()?.kind === ',') {
        pos += 1;
        values.push(word('a value'));
      }
      expect(')');
      terms.push({ key, op: t.text, values });
    } else throw bad(s, `unexpected token after '${key}'`);
    if (pos >= tokens.length) break;
    expect(',');
  }
  return terms;
}

export function matchesLabelSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.every((t) => {
    if (!Object.prototype.hasOwnProperty.call(labels, t.key)) return false;
    const v = labels[t.key];
    switch (t.op) {
      case 'exists': return true;
      case '==': return v === t.values[0];
      case '!=': return v !== t.values[0];
      case 'in': return t.values.includes(v);
      case 'notin': return !t.values.includes(v);
    }
  });
}
