// The layering the code relies on, checked by walking the import statements of every source file:
// no import circle; domain/ and cards/ know nothing of bot/; only the adapter files know botbuilder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const sourceDirs = ['domain', 'cards', 'bot'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports (type-only imports too: they still tie the layers together). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* try the next */
    }
  }
  return undefined; // a JSON template
}

const files = sourceDirs.flatMap((d) => sourceFiles(join(root, d)));
const rel = (f: string) => relative(root, f);
const graph = new Map(files.map((f) => [f, importsOf(f).map((s) => resolveLocal(f, s)).filter((x): x is string => !!x)]));

function findCycles(): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const next of graph.get(f) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map(rel));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}

test('the walk sees the router and the actions it dispatches to', () => {
  const router = graph.get(join(root, 'bot/router.ts'))!.map(rel);
  expect(router).toContain('bot/actions/index.ts');
  expect(files.length).toBeGreaterThan(50);
});

test('there is no import circle', () => {
  expect(findCycles()).toEqual([]);
});

test('a circle would be found (so the check can fail)', () => {
  const a = join(root, 'bot/router.ts');
  const b = join(root, 'bot/actions/index.ts');
  const saved = graph.get(b)!;
  graph.set(b, [...saved, a]);
  try {
    expect(findCycles().length).toBeGreaterThan(0);
  } finally {
    graph.set(b, saved);
  }
});

test('domain/ and cards/ import nothing from bot/', () => {
  const wrong = files
    .filter((f) => rel(f).startsWith('domain/') || rel(f).startsWith('cards/'))
    .flatMap((f) => graph.get(f)!.filter((t) => rel(t).startsWith('bot/')).map((t) => `${rel(f)} → ${rel(t)}`));
  expect(wrong).toEqual([]);
});

test('domain/ imports nothing from cards/ (words belong to the cards)', () => {
  const wrong = files
    .filter((f) => rel(f).startsWith('domain/'))
    .flatMap((f) => graph.get(f)!.filter((t) => rel(t).startsWith('cards/')).map((t) => `${rel(f)} → ${rel(t)}`));
  expect(wrong).toEqual([]);
});

test('only bot/teams-bot.ts and bot/server.ts import botbuilder or restify', () => {
  const users = files.filter((f) => importsOf(f).some((s) => /^(botbuilder|restify|botframework-)/.test(s))).map(rel).sort();
  expect(users.every((f) => ['bot/server.ts', 'bot/teams-bot.ts'].includes(f))).toBe(true);
  expect(users).toContain('bot/teams-bot.ts');
});
