// A parser for ARM template expressions ("[resourceId('Microsoft.Web/sites', variables('siteName'))]"),
// enough to check a template offline: function calls, 'string' literals ('' escapes), numbers, .property
// and [index] access. https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions
export type Node =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'property'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node };

export class ExpressionError extends Error {}

/** A JSON string that is an expression: "[...]" but not "[[...", which is an escaped literal. */
export function isExpression(text: string): boolean {
  return text.startsWith('[') && !text.startsWith('[[') && text.endsWith(']');
}

export function parseExpression(text: string): Node {
  const src = text.slice(1, -1);
  let at = 0;
  const fail = (why: string): never => {
    throw new ExpressionError(`${why} at ${at} in ${text}`);
  };
  const space = () => {
    while (/\s/.test(src[at] ?? '')) at++;
  };
  const expect = (ch: string) => {
    space();
    if (src[at] !== ch) fail(`expected ${ch}`);
    at++;
  };
  const primary = (): Node => {
    space();
    const ch = src[at];
    if (ch === "'") {
      let value = '';
      for (at++; ; at++) {
        if (at >= src.length) fail('unterminated string');
        if (src[at] === "'") {
          if (src[at + 1] === "'") {
            value += "'";
            at++;
          } else break;
        } else value += src[at];
      }
      at++;
      return { kind: 'string', value };
    }
    const num = /^-?\d+/.exec(src.slice(at));
    if (num) {
      at += num[0].length;
      return { kind: 'number', value: Number(num[0]) };
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(at));
    if (!ident) return fail('expected a value');
    at += ident![0].length;
    expect('(');
    const args: Node[] = [];
    space();
    if (src[at] !== ')') {
      for (;;) {
        args.push(expression());
        space();
        if (src[at] === ',') at++;
        else break;
      }
    }
    expect(')');
    return { kind: 'call', name: ident![0], args };
  };
  const expression = (): Node => {
    let node = primary();
    for (;;) {
      space();
      if (src[at] === '.') {
        at++;
        const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(at));
        if (!name) fail('expected a property name');
        at += name![0].length;
        node = { kind: 'property', target: node, name: name![0] };
      } else if (src[at] === '[') {
        at++;
        const index = expression();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  };
  const node = expression();
  space();
  if (at !== src.length) fail('unexpected text');
  return node;
}

/** Canonical text of a node, to compare two expressions. */
export function print(node: Node): string {
  switch (node.kind) {
    case 'string':
      return `'${node.value.replace(/'/g, "''")}'`;
    case 'number':
      return String(node.value);
    case 'call':
      return `${node.name}(${node.args.map(print).join(', ')})`;
    case 'property':
      return `${print(node.target)}.${node.name}`;
    case 'index':
      return `${print(node.target)}[${print(node.index)}]`;
  }
}

export function* calls(node: Node): Generator<Extract<Node, { kind: 'call' }>> {
  if (node.kind === 'call') {
    yield node;
    for (const arg of node.args) yield* calls(arg);
  } else if (node.kind === 'property') yield* calls(node.target);
  else if (node.kind === 'index') {
    yield* calls(node.target);
    yield* calls(node.index);
  }
}
